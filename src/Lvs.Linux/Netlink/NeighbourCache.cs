using System.Buffers.Binary;
using System.Net.Sockets;
using System.Numerics;

namespace Lvs.Linux.Netlink;

/// <summary>
/// IPv4 neighbour (ARP) cache per interface: the kernel's entries from dumps and events plus
/// what the data path learns from ARP replies it sees itself. The IPv6 (neighbour discovery)
/// entries live beside them in a second table (<see cref="TryGet6"/>, NeighbourCache6.cs).
/// </summary>
/// <remarks>
/// Invariants that make <see cref="TryGet"/> lock-free and allocation-free:
/// - Writers serialise on a lock; readers never lock.
/// - A slot's key is written once, after its value, and never changes while the table is
///   live, so a reader that sees the key sees a value written for that key.
/// - A slot's value is one 64-bit word (MAC plus a valid bit) written atomically.
/// - Entries are invalidated, never removed; growth copies the valid entries into a new
///   table and publishes it by reference, so a reader holding the old table still sees a
///   consistent (at worst slightly stale) picture.
/// </remarks>
public sealed partial class NeighbourCache
{
    private const ulong ValidBit = 1UL << 63;
    private const int InitialCapacity = 1024;
    private const long RequestIntervalMs = 1000;
    private const int MaxPendingRequests = 4096;

    private readonly Lock _writeLock = new();
    private readonly Lock _requestLock = new();
    private readonly Dictionary<ulong, long> _lastRequest = [];
    private Table _table = new(InitialCapacity);
    private long _losses;

    /// <summary>Number of valid IPv4 entries.</summary>
    public int Count => Volatile.Read(ref _table).Valid;

    /// <summary>
    /// Times a usable entry (IPv4 or IPv6) was invalidated or the whole cache cleared: a reader
    /// that saw it change re-resolves the neighbours it must not wait for (real servers).
    /// </summary>
    public long Losses => Interlocked.Read(ref _losses);

    /// <summary>Looks up the MAC of <paramref name="ip"/> (host order) on <paramref name="ifIndex"/>.</summary>
    public bool TryGet(int ifIndex, uint ip, out MacAddress mac)
    {
        var table = Volatile.Read(ref _table);
        var key = Key(ifIndex, ip);
        var mask = table.Keys.Length - 1;
        for (var i = Hash(key) & mask; ; i = (i + 1) & mask)
        {
            var slotKey = Volatile.Read(ref table.Keys[i]);
            if (slotKey == key)
            {
                var value = Volatile.Read(ref table.Values[i]);
                mac = MacAddress.FromUInt64(value);
                return (value & ValidBit) != 0;
            }

            if (slotKey == 0)
            {
                mac = default;
                return false;
            }
        }
    }

    /// <summary>Records a MAC the data path saw in an ARP reply (or a static entry).</summary>
    public void Learn(int ifIndex, uint ip, ReadOnlySpan<byte> mac) => Set(ifIndex, ip, new MacAddress(mac));

    /// <summary>Records <paramref name="mac"/> for <paramref name="ip"/> on <paramref name="ifIndex"/>.</summary>
    public void Set(int ifIndex, uint ip, MacAddress mac)
    {
        if (ifIndex <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ifIndex), ifIndex, "interface indexes start at 1");
        }

        Write(Key(ifIndex, ip), mac.ToUInt64() | ValidBit);
    }

    /// <summary>Marks the entry invalid (kernel deleted it or it went FAILED/INCOMPLETE).</summary>
    public void Invalidate(int ifIndex, uint ip)
    {
        if (ifIndex > 0 && TryGet(ifIndex, ip, out _))
        {
            Write(Key(ifIndex, ip), 0);
            Interlocked.Increment(ref _losses);
        }
    }

    /// <summary>Applies a kernel neighbour message (IPv4 and IPv6; others are ignored).</summary>
    public void Apply(NeighbourInfo neighbour, bool removed)
    {
        ArgumentNullException.ThrowIfNull(neighbour);
        if (neighbour.Address.AddressFamily == AddressFamily.InterNetworkV6 && neighbour.IfIndex > 0)
        {
            Apply6(neighbour, removed);
            return;
        }

        if (neighbour.Address.AddressFamily != AddressFamily.InterNetwork || neighbour.IfIndex <= 0)
        {
            return;
        }

        var ip = RoutingView.ToUInt32(neighbour.Address);
        if (removed)
        {
            // A request of ours the kernel was resolving may have gone with the entry (a flush):
            // the next one must not wait out the rate limit.
            lock (_requestLock)
            {
                _lastRequest.Remove(Key(neighbour.IfIndex, ip));
            }
        }

        if (removed || !neighbour.IsUsable)
        {
            Invalidate(neighbour.IfIndex, ip);
        }
        else
        {
            Set(neighbour.IfIndex, ip, neighbour.Mac);
        }
    }

    /// <summary>Invalidates every entry, IPv4 and IPv6 (before reloading from a fresh dump).</summary>
    public void Clear()
    {
        lock (_writeLock)
        {
            Volatile.Write(ref _table, new Table(InitialCapacity));
            Clear6();
            Interlocked.Increment(ref _losses);
        }
    }

    /// <summary>
    /// Rate limit for ARP requests: true (and remembers <paramref name="nowMs"/>) when no request
    /// for this address went out in the last second. Slow path; safe from any thread.
    /// </summary>
    public bool TryBeginRequest(int ifIndex, uint ip, long nowMs)
    {
        var key = Key(ifIndex, ip);
        lock (_requestLock)
        {
            if (_lastRequest.TryGetValue(key, out var last) && nowMs - last < RequestIntervalMs)
            {
                return false;
            }

            if (_lastRequest.Count >= MaxPendingRequests)
            {
                foreach (var (oldKey, time) in _lastRequest)
                {
                    if (nowMs - time >= RequestIntervalMs)
                    {
                        _lastRequest.Remove(oldKey);
                    }
                }
            }

            _lastRequest[key] = nowMs;
            return true;
        }
    }

    /// <summary>Length of the frame <see cref="BuildArpRequest"/> writes.</summary>
    public const int ArpRequestLength = 42;

    /// <summary>
    /// Writes a broadcast Ethernet + ARP request (RFC 826) asking who has <paramref name="targetIp"/>,
    /// 42 bytes, into <paramref name="frame"/>. Addresses in host order.
    /// </summary>
    /// <returns>The number of bytes written (42).</returns>
    public static int BuildArpRequest(Span<byte> frame, MacAddress srcMac, uint srcIp, uint targetIp)
    {
        if (frame.Length < ArpRequestLength)
        {
            throw new ArgumentException($"an ARP request needs {ArpRequestLength} bytes", nameof(frame));
        }

        // Ethernet: dst ff:ff:ff:ff:ff:ff, src, EtherType 0x0806.
        MacAddress.Broadcast.WriteTo(frame);
        srcMac.WriteTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x0806);

        // ARP: htype 1 (Ethernet), ptype 0x0800, hlen 6, plen 4, oper 1 (request).
        var arp = frame[14..];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], 0x0800);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], 1);
        srcMac.WriteTo(arp[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(arp[14..], srcIp);
        arp.Slice(18, 6).Clear();
        BinaryPrimitives.WriteUInt32BigEndian(arp[24..], targetIp);
        return ArpRequestLength;
    }

    // ifindex 0 never exists, so key 0 marks an empty slot.
    private static ulong Key(int ifIndex, uint ip) => ((ulong)(uint)ifIndex << 32) | ip;

    private static int Hash(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> 33);

    private void Write(ulong key, ulong value)
    {
        lock (_writeLock)
        {
            var table = _table;
            if (!table.TryStore(key, value))
            {
                if (value == 0)
                {
                    return;
                }

                // Full enough: rebuild with the valid entries only, at a load of at most 1/4.
                var grown = new Table((int)Math.Max(InitialCapacity, BitOperations.RoundUpToPowerOf2((uint)(table.Valid + 1) * 4)));
                for (var i = 0; i < table.Keys.Length; i++)
                {
                    if (table.Keys[i] != 0 && (table.Values[i] & ValidBit) != 0)
                    {
                        grown.TryStore(table.Keys[i], table.Values[i]);
                    }
                }

                grown.TryStore(key, value);
                Volatile.Write(ref _table, grown);
            }
        }
    }

    private sealed class Table(int capacity)
    {
        public readonly ulong[] Keys = new ulong[capacity];
        public readonly ulong[] Values = new ulong[capacity];
        public int Used;
        public int Valid;

        /// <summary>Stores into the key's slot or a new one; false when a new slot would pass half full.</summary>
        public bool TryStore(ulong key, ulong value)
        {
            var mask = Keys.Length - 1;
            for (var i = Hash(key) & mask; ; i = (i + 1) & mask)
            {
                if (Keys[i] == key)
                {
                    var wasValid = (Values[i] & ValidBit) != 0;
                    Volatile.Write(ref Values[i], value);
                    Valid += ((value & ValidBit) != 0 ? 1 : 0) - (wasValid ? 1 : 0);
                    return true;
                }

                if (Keys[i] == 0)
                {
                    if (value == 0)
                    {
                        return true;
                    }

                    if ((Used + 1) * 2 > Keys.Length)
                    {
                        return false;
                    }

                    Values[i] = value;
                    Volatile.Write(ref Keys[i], key);
                    Used++;
                    Valid++;
                    return true;
                }
            }
        }
    }
}
