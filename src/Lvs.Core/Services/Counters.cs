using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lvs.Core.Services;

/// <summary>
/// One worker's counters for one service or real server. Only that worker writes them, so the
/// hot path uses plain increments; readers (the control plane) sum the slots of all workers and
/// may see a value a few packets old, never a torn one (64-bit aligned fields).
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public sealed class CounterSlot
{
    public long Conns;
    public long InPackets;
    public long OutPackets;
    public long InBytes;
    public long OutBytes;
    public int ActiveConns;
    public int InactiveConns;
    public int PersistConns;

    // Padding so that two workers' slots allocated back to back do not share a cache line.
#pragma warning disable CS0169, IDE0051
    private readonly long _pad0, _pad1, _pad2, _pad3, _pad4, _pad5, _pad6, _pad7;
#pragma warning restore CS0169, IDE0051
}

/// <summary>Traffic totals as ip_vs reports them (ipvsadm --stats).</summary>
public readonly record struct TrafficTotals(long Conns, long InPackets, long OutPackets, long InBytes, long OutBytes)
{
    public static TrafficTotals operator -(TrafficTotals a, TrafficTotals b) =>
        new(a.Conns - b.Conns, a.InPackets - b.InPackets, a.OutPackets - b.OutPackets, a.InBytes - b.InBytes, a.OutBytes - b.OutBytes);
}

/// <summary>
/// Per-worker counter slots of one object, plus the baseline that "zero" (-Z) subtracts, so
/// zeroing never races the workers' writes.
/// </summary>
public sealed class CounterSet
{
    private readonly CounterSlot[] _slots;
    private StrongBox<TrafficTotals> _baseline = new(default);

    public CounterSet(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _slots = new CounterSlot[workers];
        for (int i = 0; i < workers; i++)
        {
            _slots[i] = new CounterSlot();
        }
    }

    /// <summary>The slot the worker with this index writes.</summary>
    public CounterSlot this[int worker] => _slots[worker];

    public int ActiveConns
    {
        get
        {
            int sum = 0;
            foreach (CounterSlot s in _slots)
            {
                sum += Volatile.Read(ref s.ActiveConns);
            }

            return sum;
        }
    }

    public int InactiveConns
    {
        get
        {
            int sum = 0;
            foreach (CounterSlot s in _slots)
            {
                sum += Volatile.Read(ref s.InactiveConns);
            }

            return sum;
        }
    }

    public int PersistConns
    {
        get
        {
            int sum = 0;
            foreach (CounterSlot s in _slots)
            {
                sum += Volatile.Read(ref s.PersistConns);
            }

            return sum;
        }
    }

    /// <summary>Totals since creation or the last <see cref="Zero"/>.</summary>
    public TrafficTotals Totals => Raw - Volatile.Read(ref _baseline).Value;

    private TrafficTotals Raw
    {
        get
        {
            long c = 0, ip = 0, op = 0, ib = 0, ob = 0;
            foreach (CounterSlot s in _slots)
            {
                c += Volatile.Read(ref s.Conns);
                ip += Volatile.Read(ref s.InPackets);
                op += Volatile.Read(ref s.OutPackets);
                ib += Volatile.Read(ref s.InBytes);
                ob += Volatile.Read(ref s.OutBytes);
            }

            return new TrafficTotals(c, ip, op, ib, ob);
        }
    }

    /// <summary>The rate estimator over these counters (ipvsadm --rate).</summary>
    public RateEstimator Estimator { get; } = new();

    /// <summary>One estimator tick (every <see cref="RateEstimator.TickMs"/>).</summary>
    public void EstimateTick() => Estimator.Tick(Raw);

    /// <summary>Zeroes the traffic counters and rates as seen by readers (connection counts are not reset, as in ip_vs).</summary>
    public void Zero()
    {
        TrafficTotals raw = Raw;
        Volatile.Write(ref _baseline, new StrongBox<TrafficTotals>(raw));
        Estimator.Reset(raw);
    }
}
