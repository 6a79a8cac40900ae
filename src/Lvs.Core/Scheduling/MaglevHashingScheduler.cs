using System.Numerics;
using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// mh — Maglev hashing (ip_vs_mh.c; Eisenbud et al., NSDI 2016, 3.4). A lookup table of the
/// kernel's default size (CONFIG_IP_VS_MH_TAB_INDEX 12 → primes[4] = 4093 slots) is filled by
/// each server's permutation: offset = hsiphash(port + address, key1) % 4093 and
/// skip = hsiphash(port + address, key2) % 4092 + 1, with the kernel's fixed keys. Servers take
/// turns in list order, each placing weight / gcd (shifted right so the largest fits 6 bits)
/// entries per turn. A client is looked up at hsiphash(source port + source address, key1) % 4093,
/// the port only with mh-port (<see cref="SchedulerFlags.Port"/>) for TCP/UDP. An unusable
/// server (weight 0 or overloaded) gives no server unless mh-fallback
/// (<see cref="SchedulerFlags.Fallback"/>) walks on as the kernel does.
/// </summary>
/// <remarks>
/// Turns come from the kernel's last_weight — the latest non-zero weight — so a server set to
/// weight 0 keeps its slots (its clients get nothing, or fall back) instead of reshuffling
/// everyone. RealServer has no such field, so this scheduler remembers it per server across
/// <see cref="OnDestinationsChanged"/> calls: a server not seen before takes its weight as
/// is (the kernel's "add"), a known one only a non-zero weight.
/// </remarks>
public sealed class MaglevHashingScheduler : IScheduler
{
    /// <summary>IP_VS_MH_TAB_SIZE with the default CONFIG_IP_VS_MH_TAB_INDEX (12): primes[12 - 8].</summary>
    public const int TableSize = 4093;

    // IP_VS_MH_TAB_BITS = CONFIG_IP_VS_MH_TAB_INDEX / 2: the most significant bits a turn count keeps.
    private const int TableBits = 6;

    // generate_hash_secret: hsiphash_key_t is two unsigned longs, both halves the same constant.
    private const ulong Hash1Key = 2654435761UL;
    private const ulong Hash2Key = 2654446892UL;

    private readonly RealServer?[] _lookup = new RealServer?[TableSize];
    private readonly SchedulerFlags _flags;
    private Dictionary<RealServer, int> _lastWeight = new(ReferenceEqualityComparer.Instance);

    public MaglevHashingScheduler(SchedulerFlags flags = SchedulerFlags.None)
    {
        _flags = flags;
    }

    public string Name => "mh";

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context)
    {
        ushort port = (_flags & SchedulerFlags.Port) != 0 && context.Protocol is IpProtocol.Tcp or IpProtocol.Udp
            ? context.ClientPort
            : (ushort)0;
        uint address = context.ClientAddress.HashKey32; // IPv6 folded as ip_vs_mh_hashkey does

        uint ihash = HashKey(address, port, Hash1Key, 0) % TableSize;
        RealServer? d = _lookup[ihash];
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

        // ip_vs_mh_get_fallback: rehash with offsets ihash, ihash + 1, ... until a usable server.
        for (uint offset = 0; offset < TableSize; offset++)
        {
            uint roffset = (offset + ihash) % TableSize;
            d = _lookup[HashKey(address, port, Hash1Key, roffset) % TableSize];
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
        var lastWeight = new Dictionary<RealServer, int>(destinations.Length, ReferenceEqualityComparer.Instance);
        foreach (RealServer d in destinations)
        {
            int w = d.Weight;
            lastWeight[d] = _lastWeight.TryGetValue(d, out int old) && w == 0 ? old : w;
        }

        _lastWeight = lastWeight;
        Populate(destinations);
    }

    /// <summary>The server in a lookup-table slot (for tests comparing tables).</summary>
    internal RealServer? Slot(int index) => _lookup[index];

    /// <summary>ip_vs_mh_hashkey: hsiphash of the 32-bit sum offset + port + address (host order).</summary>
    internal static uint HashKey(uint address, ushort port, ulong key, uint offset) =>
        KernelHash.HsipHash(unchecked(offset + port + address), key, key);

    private static bool IsUnavailable(RealServer d) => d.Weight <= 0 || d.Overloaded;

    private void Populate(RealServer[] destinations)
    {
        int n = destinations.Length;
        int gcd = 0, maxWeight = 0;
        foreach (RealServer d in destinations)
        {
            int w = _lastWeight[d];
            if (w > 0)
            {
                gcd = gcd > 0 ? Gcd(w, gcd) : w;
            }

            maxWeight = Math.Max(maxWeight, w);
        }

        // gcd < 1: no servers, or every last_weight is 0 — the kernel empties the table.
        if (gcd < 1)
        {
            Array.Clear(_lookup);
            return;
        }

        // ip_vs_mh_shift_weight: shift = fls(max / gcd) - IP_VS_MH_TAB_BITS, at least 0.
        int rshift = Math.Max(0, (32 - BitOperations.LeadingZeroCount((uint)(maxWeight / gcd))) - TableBits);

        // ip_vs_mh_permutate.
        var offset = new uint[n];
        var skip = new uint[n];
        var perm = new uint[n];
        var turns = new int[n];
        for (int i = 0; i < n; i++)
        {
            RealServer d = destinations[i];
            offset[i] = HashKey(d.Address.HashKey32, d.Port, Hash1Key, 0) % TableSize;
            skip[i] = (HashKey(d.Address.HashKey32, d.Port, Hash2Key, 0) % (TableSize - 1)) + 1;
            perm[i] = offset[i];
            int lw = _lastWeight[d];
            int t = (lw / gcd) >> rshift;
            turns[i] = t != 0 ? t : (lw != 0 ? 1 : 0);
        }

        // ip_vs_mh_populate: servers take turns in list order; each turn places `turns` entries,
        // each at the server's next preferred slot that is still free.
        var taken = new bool[TableSize];
        int filled = 0, placedThisTurn = 0;
        while (true)
        {
            for (int i = 0; i < n;)
            {
                if (turns[i] < 1)
                {
                    i++; // a server added with weight 0 takes no slots
                    continue;
                }

                uint c = perm[i];
                while (taken[c])
                {
                    perm[i] += skip[i];
                    if (perm[i] >= TableSize)
                    {
                        perm[i] -= TableSize;
                    }

                    c = perm[i];
                }

                taken[c] = true;
                _lookup[c] = destinations[i];
                if (++filled == TableSize)
                {
                    return;
                }

                if (++placedThisTurn >= turns[i])
                {
                    placedThisTurn = 0;
                    i++;
                }
            }
        }
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
