using BenchmarkDotNet.Attributes;
using Lvs.Core.Connections;
using Lvs.Core.Scheduling;
using Lvs.Core.Services;

namespace Lvs.Bench;

/// <summary>
/// The connection table alone at 1 M and 10 M entries (NAT entries: two hash nodes each).
/// <see cref="Insert"/> inserts the last 1 M entries into a preallocated table that already holds
/// <c>Entries - 1 M</c> (ns per insert); <see cref="Lookup"/> finds a pseudo-random live entry of a
/// full table by its client tuple; <see cref="Expire"/> turns the timer wheel, 100 ms ticks, over a
/// full table in which 1 M entries have deadlines spread over 63 s and the rest far later, until
/// those 1 M have expired (ns per expired entry; the wheel never walks the others).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class ConnectionTableBenchmark
{
    private const uint Vip = 0xC000020A; // 192.0.2.10
    private const long SpreadMs = 60_000;
    private const int Batch = 1_000_000;

    // Created at 497 s, the 3 s initial timeout files them in wheel slot 5000, which the
    // Expire benchmark's 63 s never reach (the wheel starts at the first entry's time, 0).
    private const long FarMs = 497_000;

    private VirtualService _service = null!;
    private RealServer _server = null!;
    private ConnectionTable _full = null!;
    private ConnectionTable _work = null!;
    private uint _probe;

    [Params(1_000_000, 10_000_000)]
    public int Entries { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _service = new VirtualService(new ServiceKey(IpProtocol.Tcp, Vip, 80), SchedulerRegistry.Create("rr"), workers: 1);
        _server = new RealServer(0x0A00000B, 8080, ForwardMethod.Masquerade, 1, workers: 1);
        _full = NewTable();
        Fill(_full);
    }

    [IterationSetup(Target = nameof(Insert))]
    public void AlmostFullTable()
    {
        _work = NewTable();
        Fill(_work, Batch, Entries - Batch, FarMs);
    }

    [IterationSetup(Target = nameof(Expire))]
    public void FullTable()
    {
        _work = NewTable();
        Fill(_work, 0, Batch, null);
        Fill(_work, Batch, Entries - Batch, FarMs);
    }

    [IterationCleanup(Targets = [nameof(Insert), nameof(Expire)])]
    public void DropTable() => _work = null!;

    [Benchmark(OperationsPerInvoke = Batch)]
    public int Insert() => Fill(_work, 0, Batch, null);

    [Benchmark]
    public int Lookup()
    {
        _probe = unchecked(_probe * 1_664_525u + 1_013_904_223u);
        int n = (int)(_probe % (uint)Entries);
        (uint client, ushort port) = Tuple(n);
        _full.TryFind(IpProtocol.Tcp, client, port, Vip, 80, out int index, out _);
        return index;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int Expire()
    {
        // The batch's deadlines lie within SpreadMs + the 3 s initial timeout.
        int expired = 0;
        for (long now = 0; now <= SpreadMs + 3_000; now += ConnectionTable.TickMs)
        {
            expired += _work.Expire(now);
        }

        if (expired != Batch)
        {
            throw new InvalidOperationException($"expired {expired} of {Batch}");
        }

        return expired;
    }

    private ConnectionTable NewTable() => new(worker: 0, initialCapacity: Entries, maxEntries: Entries);

    private void Fill(ConnectionTable table) => Fill(table, 0, Entries, null);

    /// <param name="fixedNow">Creation time of every entry, or null to spread them over <see cref="SpreadMs"/>.</param>
    private int Fill(ConnectionTable table, int from, int count, long? fixedNow)
    {
        int last = -1;
        for (int n = from; n < from + count; n++)
        {
            (uint client, ushort port) = Tuple(n);
            long now = fixedNow ?? (n - from) * SpreadMs / count;
            last = table.Create(_service, _server, IpProtocol.Tcp, client, port, Vip, 80, now);
            if (last < 0)
            {
                throw new InvalidOperationException($"table full at {n}");
            }
        }

        return last;
    }

    /// <summary>Distinct (client, port) pairs: 60,000 ports per address from 198.51.0.0 up (10 M needs 167 addresses).</summary>
    internal static (uint Client, ushort Port) Tuple(int n) =>
        (0xC6330000u + (uint)(n / 60_000), (ushort)(1024 + (n % 60_000)));
}
