using System.Numerics;

namespace Lvs.Linux.Netlink;

// The IPv6 (neighbour discovery) half of the cache: the same lock-free reader / locked writer
// design as the IPv4 table, keyed by interface index plus the 128-bit address. Link-local
// neighbours (fe80::/10, the usual IPv6 gateways) are only unique per interface, which the
// key already is.
//
// Invariants, as for IPv4, adapted to a key wider than one word:
// - A slot's key (High, Low, IfIndex) is written once and never changes while the table is
//   live; High and Low are written first, then IfIndex with a release write, and readers
//   read IfIndex with an acquire read before High and Low, so a reader that sees a non-zero
//   IfIndex sees the whole key. IfIndex 0 (never a real interface) marks an empty slot.
// - A slot's value is one 64-bit word (MAC plus a valid bit) written atomically.
// - Entries are invalidated, never removed; growth copies valid entries into a new table
//   published by reference.
public sealed partial class NeighbourCache
{
    private const int InitialCapacity6 = 256;

    private readonly Dictionary<(int IfIndex, Ip6 Address), long> _lastSolicit = [];
    private Table6 _table6 = new(InitialCapacity6);

    /// <summary>Number of valid IPv6 entries.</summary>
    public int Count6 => Volatile.Read(ref _table6).Valid;

    /// <summary>Looks up the MAC of IPv6 neighbour <paramref name="ip"/> on <paramref name="ifIndex"/>. Lock-free, allocation-free.</summary>
    public bool TryGet6(int ifIndex, in Ip6 ip, out MacAddress mac)
    {
        var table = Volatile.Read(ref _table6);
        var slots = table.Slots;
        var mask = slots.Length - 1;
        for (var i = Hash6(ifIndex, ip) & mask; ; i = (i + 1) & mask)
        {
            ref var slot = ref slots[i];
            var slotIndex = Volatile.Read(ref slot.IfIndex);
            if (slotIndex == 0)
            {
                mac = default;
                return false;
            }

            if (slotIndex == ifIndex && slot.High == ip.High && slot.Low == ip.Low)
            {
                var value = Volatile.Read(ref slot.Value);
                mac = MacAddress.FromUInt64(value);
                return (value & ValidBit) != 0;
            }
        }
    }

    /// <summary>Records a MAC the data path saw in a neighbour advertisement (or a static entry).</summary>
    public void Learn6(int ifIndex, in Ip6 ip, ReadOnlySpan<byte> mac) => Set6(ifIndex, ip, new MacAddress(mac));

    /// <summary>Records <paramref name="mac"/> for IPv6 neighbour <paramref name="ip"/> on <paramref name="ifIndex"/>.</summary>
    public void Set6(int ifIndex, in Ip6 ip, MacAddress mac)
    {
        if (ifIndex <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ifIndex), ifIndex, "interface indexes start at 1");
        }

        Write6(ifIndex, ip, mac.ToUInt64() | ValidBit);
    }

    /// <summary>Marks the IPv6 entry invalid (kernel deleted it or it went FAILED/INCOMPLETE).</summary>
    public void Invalidate6(int ifIndex, in Ip6 ip)
    {
        if (ifIndex > 0 && TryGet6(ifIndex, ip, out _))
        {
            Write6(ifIndex, ip, 0);
            Interlocked.Increment(ref _losses);
        }
    }

    /// <summary>
    /// Rate limit for neighbour solicitations: true (and remembers <paramref name="nowMs"/>) when
    /// no solicitation for this address on this interface went out in the last second.
    /// Slow path; safe from any thread.
    /// </summary>
    public bool TryBeginSolicit6(int ifIndex, in Ip6 ip, long nowMs)
    {
        var key = (ifIndex, ip);
        lock (_requestLock)
        {
            if (_lastSolicit.TryGetValue(key, out var last) && nowMs - last < RequestIntervalMs)
            {
                return false;
            }

            if (_lastSolicit.Count >= MaxPendingRequests)
            {
                foreach (var (oldKey, time) in _lastSolicit)
                {
                    if (nowMs - time >= RequestIntervalMs)
                    {
                        _lastSolicit.Remove(oldKey);
                    }
                }
            }

            _lastSolicit[key] = nowMs;
            return true;
        }
    }

    private void Apply6(NeighbourInfo neighbour, bool removed)
    {
        var ip = Ip6.FromIPAddress(neighbour.Address);
        if (removed)
        {
            lock (_requestLock)
            {
                _lastSolicit.Remove((neighbour.IfIndex, ip));
            }
        }

        if (removed || !neighbour.IsUsable)
        {
            Invalidate6(neighbour.IfIndex, ip);
        }
        else
        {
            Set6(neighbour.IfIndex, ip, neighbour.Mac);
        }
    }

    private void Clear6() => Volatile.Write(ref _table6, new Table6(InitialCapacity6));

    private static int Hash6(int ifIndex, in Ip6 ip)
    {
        var mixed = (ip.High * 0x9E3779B97F4A7C15UL) ^ (ip.Low * 0xC2B2AE3D27D4EB4FUL) ^ (uint)ifIndex;
        return (int)((mixed * 0x9E3779B97F4A7C15UL) >> 33);
    }

    private void Write6(int ifIndex, in Ip6 ip, ulong value)
    {
        lock (_writeLock)
        {
            var table = _table6;
            if (table.TryStore(ifIndex, ip, value) || value == 0)
            {
                return;
            }

            // Full enough: rebuild with the valid entries only, at a load of at most 1/4.
            var grown = new Table6((int)Math.Max(InitialCapacity6, BitOperations.RoundUpToPowerOf2((uint)(table.Valid + 1) * 4)));
            foreach (ref readonly var slot in table.Slots.AsSpan())
            {
                if (slot.IfIndex != 0 && (slot.Value & ValidBit) != 0)
                {
                    grown.TryStore(slot.IfIndex, new Ip6(slot.High, slot.Low), slot.Value);
                }
            }

            grown.TryStore(ifIndex, ip, value);
            Volatile.Write(ref _table6, grown);
        }
    }

    private struct Slot6
    {
        public ulong High;
        public ulong Low;
        public ulong Value;
        public int IfIndex;
    }

    private sealed class Table6(int capacity)
    {
        public readonly Slot6[] Slots = new Slot6[capacity];
        public int Used;
        public int Valid;

        /// <summary>Stores into the key's slot or a new one; false when a new slot would pass half full.</summary>
        public bool TryStore(int ifIndex, in Ip6 ip, ulong value)
        {
            var mask = Slots.Length - 1;
            for (var i = Hash6(ifIndex, ip) & mask; ; i = (i + 1) & mask)
            {
                ref var slot = ref Slots[i];
                if (slot.IfIndex == ifIndex && slot.High == ip.High && slot.Low == ip.Low)
                {
                    var wasValid = (slot.Value & ValidBit) != 0;
                    Volatile.Write(ref slot.Value, value);
                    Valid += ((value & ValidBit) != 0 ? 1 : 0) - (wasValid ? 1 : 0);
                    return true;
                }

                if (slot.IfIndex == 0)
                {
                    if (value == 0)
                    {
                        return true;
                    }

                    if ((Used + 1) * 2 > Slots.Length)
                    {
                        return false;
                    }

                    slot.High = ip.High;
                    slot.Low = ip.Low;
                    slot.Value = value;
                    Volatile.Write(ref slot.IfIndex, ifIndex);
                    Used++;
                    Valid++;
                    return true;
                }
            }
        }
    }
}
