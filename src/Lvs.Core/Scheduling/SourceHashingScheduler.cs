using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// sh — source hashing (ip_vs_sh.c). A 256-bucket table filled in list order, each server taking
/// as many consecutive buckets as its weight (at least one, so weight 0 takes one), round and
/// round; the bucket is hash_32(source port + source address, 8) — the port only with sh-port
/// (<see cref="SchedulerFlags.Port"/>) and for TCP/UDP, else 0. An unusable server (weight 0 or
/// overloaded) gives no server, unless sh-fallback (<see cref="SchedulerFlags.Fallback"/>)
/// walks on through the table as the kernel does.
/// </summary>
public sealed class SourceHashingScheduler : IScheduler
{
    private const int TableBits = 8;
    private const int TableSize = 1 << TableBits;
    private const int TableMask = TableSize - 1;

    private readonly RealServer?[] _buckets = new RealServer?[TableSize];
    private readonly SchedulerFlags _flags;

    public SourceHashingScheduler(SchedulerFlags flags = SchedulerFlags.None)
    {
        _flags = flags;
    }

    public string Name => "sh";

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context)
    {
        ushort port = (_flags & SchedulerFlags.Port) != 0 && context.Protocol is IpProtocol.Tcp or IpProtocol.Udp
            ? context.ClientPort
            : (ushort)0;
        uint address = context.ClientAddress.HashKey32; // IPv6 folded as ip_vs_sh_hashkey does

        uint ihash = HashKey(address, port, 0);
        RealServer? d = _buckets[ihash];
        if (d is null)
        {
            return null;
        }

        if (!IsUnavailable(d))
        {
            return d;
        }

        if ((_flags & SchedulerFlags.Fallback) == 0)
        {
            return null;
        }

        // ip_vs_sh_get_fallback: roffset = (offset + ihash) % size, then the bucket is
        // hashkey(addr, port, roffset) = (roffset + ihash) & mask — the original hash is added
        // twice, exactly as the kernel does, so the walk starts at 2 * ihash.
        for (uint offset = 0; offset < TableSize; offset++)
        {
            uint roffset = (offset + ihash) % TableSize;
            d = _buckets[HashKey(address, port, roffset)];
            if (d is null)
            {
                return null;
            }

            if (!IsUnavailable(d))
            {
                return d;
            }
        }

        return null;
    }

    public void OnDestinationsChanged(RealServer[] destinations)
    {
        // ip_vs_sh_reassign: "don't move to next dest until filling weight".
        int p = 0, count = 0;
        for (int i = 0; i < TableSize; i++)
        {
            if (destinations.Length == 0)
            {
                _buckets[i] = null;
                continue;
            }

            RealServer d = destinations[p];
            _buckets[i] = d;
            if (++count >= d.Weight)
            {
                p = (p + 1) % destinations.Length;
                count = 0;
            }
        }
    }

    internal static uint HashKey(uint address, ushort port, uint offset) =>
        (offset + KernelHash.Hash32(unchecked(port + address), TableBits)) & TableMask;

    private static bool IsUnavailable(RealServer d) => d.Weight <= 0 || d.Overloaded;
}
