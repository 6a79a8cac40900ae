using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lvs.Core.Services;

/// <summary>
/// One worker's counters for one service or real server. Only that worker writes them, so the
/// hot path uses plain increments; readers (the control plane) sum the slots of all workers and
/// may see a value a few packets old, never a torn one (64-bit aligned fields).
/// </summary>
/// <remarks>
/// The connection counts live in the owning <see cref="CounterSet"/>'s flat array, not in the
/// slot, so the least-connection schedulers sum a server's load with one array read per worker
/// (<see cref="CounterSet.ConnCounts"/>) instead of walking slot objects.
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public sealed class CounterSlot
{
    private readonly int[] _connCounts;
    private readonly int _base;

    public long Conns;
    public long InPackets;
    public long OutPackets;
    public long InBytes;
    public long OutBytes;
    public int PersistConns;

    // Padding so that two workers' slots allocated back to back do not share a cache line.
#pragma warning disable CS0169, IDE0051
    private readonly long _pad0, _pad1, _pad2, _pad3, _pad4, _pad5, _pad6, _pad7;
#pragma warning restore CS0169, IDE0051

    internal CounterSlot(int[] connCounts, int worker)
    {
        _connCounts = connCounts;
        _base = worker * CounterSet.ConnStride;
    }

    /// <summary>Connections of this worker in ESTABLISHED (ActiveConn).</summary>
    public ref int ActiveConns => ref _connCounts[_base];

    /// <summary>Every other connection of this worker (InActConn).</summary>
    public ref int InactiveConns => ref _connCounts[_base + 1];
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
    /// <summary>
    /// Ints between two workers' connection counts in <see cref="ConnCounts"/>: 64 bytes, so two
    /// workers never write the same cache line.
    /// </summary>
    public const int ConnStride = 16;

    private readonly CounterSlot[] _slots;
    private StrongBox<TrafficTotals> _baseline = new(default);

    public CounterSet(int workers)
        : this(workers, new int[Math.Max(workers, 1) * ConnStride])
    {
    }

    /// <param name="connCounts">Where the connection counts go (<c>workers * ConnStride</c> ints), so an owner can keep more in the same lines.</param>
    internal CounterSet(int workers, int[] connCounts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(connCounts.Length, workers * ConnStride);
        ConnCounts = connCounts;
        _slots = new CounterSlot[workers];
        for (int i = 0; i < workers; i++)
        {
            _slots[i] = new CounterSlot(ConnCounts, i);
        }
    }

    /// <summary>
    /// The connection counts of every worker: worker w's ActiveConn at <c>w * ConnStride</c>, its
    /// InActConn right after. Each worker writes only its own pair.
    /// </summary>
    internal int[] ConnCounts { get; }

    /// <summary>
    /// ip_vs_dest_conn_overhead over all workers: (ActiveConn &lt;&lt; 8) + InActConn, the load the
    /// least-connection schedulers compare.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Overhead(int[] connCounts)
    {
        ref int p = ref MemoryMarshal.GetArrayDataReference(connCounts);
        int active = Volatile.Read(ref p), inactive = Volatile.Read(ref Unsafe.Add(ref p, 1));
        for (int o = ConnStride; o < connCounts.Length; o += ConnStride)
        {
            active += Volatile.Read(ref Unsafe.Add(ref p, o));
            inactive += Volatile.Read(ref Unsafe.Add(ref p, o + 1));
        }

        return (active << 8) + inactive;
    }

    /// <summary>The slot the worker with this index writes.</summary>
    public CounterSlot this[int worker] => _slots[worker];

    public int ActiveConns => SumConnCounts(0);

    public int InactiveConns => SumConnCounts(1);

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

    private int SumConnCounts(int offset)
    {
        int[] counts = ConnCounts;
        int sum = 0;
        for (int o = offset; o < counts.Length; o += ConnStride)
        {
            sum += Volatile.Read(ref counts[o]);
        }

        return sum;
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
