using System.Globalization;
using System.Runtime.CompilerServices;
using Lvs.Core.Connections;
using Lvs.Core.Scheduling;
using Lvs.Core.Services;

namespace Lvs.Bench;

/// <summary>
/// Bytes per connection, measured rather than computed: the managed heap's live size
/// (<see cref="GC.GetTotalMemory"/> after a full collection) before and after a table holding N
/// NAT connections exists, divided by N. That counts the entry array, the hash buckets and the
/// wheel, as allocated. Two ways to size the table: preallocated for N (as lvsd could with
/// --max-connections) and grown from the default 4,096 by doubling (as lvsd does today).
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> over the same fill shows what growing
/// allocated in total, garbage included.
/// </summary>
public static class BytesPerConnection
{
    /// <summary>Prints one Markdown row per (N, sizing).</summary>
    public static void Run(TextWriter output)
    {
        var service = new VirtualService(new ServiceKey(IpProtocol.Tcp, 0xC000020A, 80), SchedulerRegistry.Create("rr"), workers: 1);
        var server = new RealServer(0x0A00000B, 8080, ForwardMethod.Masquerade, 1, workers: 1);
        output.WriteLine($"sizeof(Connection) = {Unsafe.SizeOf<Connection>()} B");
        output.WriteLine("| Entries | Sizing | Live bytes / connection | Allocated bytes / connection (incl. garbage) | Buckets |");
        output.WriteLine("|---:|---|---:|---:|---:|");
        foreach (int n in new[] { 1_000_000, 10_000_000 })
        {
            foreach (bool preallocate in new[] { true, false })
            {
                long before = GC.GetTotalMemory(forceFullCollection: true);
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                var table = preallocate
                    ? new ConnectionTable(worker: 0, initialCapacity: n, maxEntries: n)
                    : new ConnectionTable(worker: 0, maxEntries: n);
                for (int i = 0; i < n; i++)
                {
                    (uint client, ushort port) = ConnectionTableBenchmark.Tuple(i);
                    if (table.Create(service, server, IpProtocol.Tcp, client, port, 0xC000020A, 80, i / 1000) < 0)
                    {
                        throw new InvalidOperationException($"table full at {i}");
                    }
                }

                long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                long after = GC.GetTotalMemory(forceFullCollection: true);
                GC.KeepAlive(table);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {n:N0} | {(preallocate ? "preallocated" : "grown from 4,096")} | {(after - before) / (double)n:F1} | {allocated / (double)n:F1} | {table.BucketCount:N0} |"));
            }
        }
    }
}
