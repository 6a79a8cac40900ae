using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// dh — destination hashing (ip_vs_dh.c). A 256-bucket table filled with the servers in list
/// order, round and round (weights play no part); the bucket is hash_32 of the packet's
/// destination address (host order), 8 bits. If that server is unavailable, weight 0 or
/// overloaded the connection gets no server — there is no fallback.
/// </summary>
public sealed class DestinationHashingScheduler : IScheduler
{
    private const int TableBits = 8;
    private const int TableSize = 1 << TableBits;

    private readonly RealServer?[] _buckets = new RealServer?[TableSize];

    public string Name => "dh";

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context)
    {
        RealServer? d = _buckets[KernelHash.Hash32(context.VirtualAddress.HashKey32, TableBits)];
        if (d is null || !d.Available || d.Weight <= 0 || d.Overloaded)
        {
            return null;
        }

        return d;
    }

    public void OnDestinationsChanged(RealServer[] destinations)
    {
        // ip_vs_dh_reassign. The kernel does not hook weight updates, but since the table never
        // depends on weights, rebuilding on them gives the same table.
        for (int i = 0; i < TableSize; i++)
        {
            _buckets[i] = destinations.Length == 0 ? null : destinations[i % destinations.Length];
        }
    }
}
