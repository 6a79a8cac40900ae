using System.Runtime.CompilerServices;
using Lvs.Core.Services;

namespace Lvs.Core.Connections;

/// <summary>
/// One worker's connection table: entries as structs in one array, a chained hash index over
/// both directions of every connection, and a timer wheel for expiry.
/// </summary>
/// <remarks>
/// <para>Hash index: each entry is two nodes, "in" (client → VIP) and "out" (real server →
/// client). A node id is <c>(index &lt;&lt; 1 | direction) + 1</c>; 0 ends a chain. One lookup with a
/// packet's own (protocol, source, destination) tuple finds the entry and tells which way the
/// packet goes (DPVS's tuple hash).</para>
/// <para>Links: a bucket and <c>_links[id - 1]</c> (the link after node id) hold a node id in
/// their low <c>_nodeMask</c> bits and the top bits of that node's hash above it (a tag). A
/// lookup compares an entry only when the tag matches, and moving along a chain reads only the
/// dense link array, so a miss and an unlink touch no other entry (the entries are 100+ bytes
/// each and mostly out of cache; the links are 8 bytes per entry).</para>
/// <para>Expiry: a hashed timer wheel of <see cref="TickMs"/> slots, doubly linked through
/// <c>_wheelLinks</c> (next at <c>2i</c>, previous at <c>2i + 1</c>; a negative previous is
/// <c>-1 - slot</c>, the slot head). Packets only move <see cref="Connection.ExpiresAt"/>; when
/// the wheel reaches an entry's slot it expires it or re-files it by its current deadline, so
/// established traffic never touches the wheel and expiry never scans the table.</para>
/// <para>Single-threaded: only the owning worker calls it. Counters it updates are that
/// worker's slots.</para>
/// </remarks>
public sealed partial class ConnectionTable
{
    public const int TickMs = 100;

    /// <summary>
    /// Bytes each entry adds beside the entry itself: two hash-chain links and two wheel links.
    /// </summary>
    internal const int LinkBytesPerEntry = 4 * sizeof(int);
    private const int WheelSlots = 16384; // 27 minutes of 100 ms ticks
    private const int WheelMask = WheelSlots - 1;

    private readonly int _worker;
    private readonly int _maxEntries;
    private Connection[] _entries;
    private uint[] _buckets;
    private uint[] _links;
    private int[] _wheelLinks;
    private int _bucketMask;
    private readonly uint _nodeMask;
    private readonly uint _tagMask;
    private int _freeHead = -1;
    private int _highWater;
    private readonly int[] _wheel = new int[WheelSlots];
    private long _wheelTick = -1;

    /// <param name="worker">The worker that owns the table: the counter slot it writes.</param>
    /// <param name="initialCapacity">Entries allocated up front (grows by doubling).</param>
    /// <param name="maxEntries">Upper bound; beyond it new connections are refused.</param>
    public ConnectionTable(int worker = 0, int initialCapacity = 4096, int maxEntries = 1 << 22)
    {
        _worker = worker;
        _maxEntries = maxEntries;
        int cap = Math.Min(Math.Max(initialCapacity, 16), maxEntries);
        _entries = new Connection[cap];
        _links = new uint[2 * cap];
        _wheelLinks = new int[2 * cap];
        _buckets = new uint[BitOperations_RoundUp(cap)];
        _bucketMask = _buckets.Length - 1;

        // Node ids go up to 2 * maxEntries; the bits above them (at most 8) carry the hash tag.
        int nodeBits = 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)maxEntries * 2);
        _nodeMask = nodeBits >= 32 ? uint.MaxValue : (1u << nodeBits) - 1;
        _tagMask = ~_nodeMask & 0xFF000000u;
        Array.Fill(_wheel, -1);
    }

    /// <summary>Live connections.</summary>
    public int Count { get; private set; }

    /// <summary>Hash buckets (ipvsadm's "size=").</summary>
    public int BucketCount => _buckets.Length;

    public int Capacity => _entries.Length;

    public ConnectionTimeouts Timeouts { get; init; } = new();

    /// <summary>The entry at <paramref name="index"/>; valid until it expires.</summary>
    public ref Connection this[int index] => ref _entries[index];

    /// <summary>Finds the connection a packet belongs to, and its direction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryFind(IpProtocol protocol, InetAddress source, ushort sourcePort, InetAddress destination, ushort destinationPort,
        out int index, out PacketDirection direction)
    {
        uint hash = (uint)Hash(protocol, source, sourcePort, destination, destinationPort);
        uint link = _buckets[hash & (uint)_bucketMask];
        Connection[] entries = _entries;
        uint[] links = _links;
        while (link != 0)
        {
            int node = (int)(link & _nodeMask) - 1;
            if (((link ^ hash) & _tagMask) == 0)
            {
                int i = node >> 1;
                ref Connection c = ref entries[i];
                if ((node & 1) == 0)
                {
                    if (c.ClientAddress == source && c.ClientPort == sourcePort && c.VirtualAddress == destination
                        && c.VirtualPort == destinationPort && c.Protocol == protocol && (c.Flags & ConnectionFlags.Template) == 0)
                    {
                        index = i;
                        direction = (c.Flags & ConnectionFlags.NoOutput) != 0 ? PacketDirection.InputOnly : PacketDirection.Input;
                        return true;
                    }
                }
                else if (c.DestAddress == source && c.DestPort == sourcePort && c.ClientAddress == destination
                         && c.ClientPort == destinationPort && c.Protocol == protocol)
                {
                    index = i;
                    direction = PacketDirection.Output;
                    return true;
                }
            }

            link = links[node];
        }

        index = -1;
        direction = default;
        return false;
    }

    /// <summary>
    /// Creates a connection bound to <paramref name="dest"/>: counted as inactive until it is
    /// established (ip_vs_bind_dest), with the initial 3 s timeout. Returns -1 when the table is full.
    /// </summary>
    public int Create(VirtualService service, RealServer dest, IpProtocol protocol, InetAddress client, ushort clientPort,
        InetAddress vip, ushort vport, long now) =>
        Create(service, dest, protocol, client, clientPort, vip, vport,
            dest.Method == ForwardMethod.Masquerade ? dest.Port : vport, now, template: -1);

    /// <param name="destPort">The real server's port for this connection (NAT may change it; DR/TUN keep vport).</param>
    /// <param name="template">The persistence template that chose <paramref name="dest"/>, or -1.</param>
    /// <param name="extra">More flags, e.g. <see cref="ConnectionFlags.OnePacket"/>.</param>
    public int Create(VirtualService service, RealServer dest, IpProtocol protocol, InetAddress client, ushort clientPort,
        InetAddress vip, ushort vport, ushort destPort, long now, int template, ConnectionFlags extra = ConnectionFlags.None)
    {
        int i = Allocate();
        if (i < 0)
        {
            return -1;
        }

        ref Connection c = ref _entries[i];
        c.ClientAddress = client;
        c.ClientPort = clientPort;
        c.VirtualAddress = vip;
        c.VirtualPort = vport;
        c.DestAddress = dest.Address;
        c.DestPort = destPort;
        c.Protocol = protocol;
        c.State = TcpState.None;
        c.Method = dest.Method;
        c.Flags = ConnectionFlags.InUse | ConnectionFlags.Inactive | extra
                  | (dest.Method == ForwardMethod.Masquerade ? ConnectionFlags.None : ConnectionFlags.NoOutput);
        c.Timeout = Timeouts.Initial;
        c.ExpiresAt = now + c.Timeout;
        c.Dest = dest;
        c.Service = service;
        c.Control = template + 1;
        if (template >= 0)
        {
            _entries[template].ControlCount++;
        }

        Insert(i, now);

        CounterSlot ds = dest.Counters[_worker];
        ds.InactiveConns++;
        ds.Conns++;
        service.Counters[_worker].Conns++;
        dest.CheckOverloadOnBind();
        return i;
    }

    /// <summary>
    /// Creates a persistence template &lt;protocol, client network, 0, VIP, vport, server, dport&gt;
    /// (ip_vs_sched_persist) that lives <paramref name="timeoutMs"/> past its last connection.
    /// </summary>
    public int CreateTemplate(VirtualService service, RealServer dest, IpProtocol protocol, InetAddress clientNetwork,
        InetAddress vip, ushort vport, ushort destPort, int timeoutMs, long now)
    {
        int i = Allocate();
        if (i < 0)
        {
            return -1;
        }

        ref Connection c = ref _entries[i];
        c.ClientAddress = clientNetwork;
        c.ClientPort = 0;
        c.VirtualAddress = vip;
        c.VirtualPort = vport;
        c.DestAddress = dest.Address;
        c.DestPort = destPort;
        c.Protocol = protocol;
        c.State = TcpState.None;
        c.Method = dest.Method;
        c.Flags = ConnectionFlags.InUse | ConnectionFlags.Template;
        c.Timeout = timeoutMs;
        c.ExpiresAt = now + timeoutMs;
        c.Dest = dest;
        c.Service = service;
        c.Control = 0;
        c.ControlCount = 0;
        Insert(i, now);
        dest.Counters[_worker].PersistConns++;
        return i;
    }

    /// <summary>Finds the live persistence template for a client network on a service.</summary>
    public bool TryFindTemplate(IpProtocol protocol, InetAddress clientNetwork, InetAddress vip, ushort vport, out int index)
    {
        uint hash = (uint)Hash(protocol, clientNetwork, 0, vip, vport);
        uint link = _buckets[hash & (uint)_bucketMask];
        while (link != 0)
        {
            int node = (int)(link & _nodeMask) - 1;
            if ((node & 1) == 0 && ((link ^ hash) & _tagMask) == 0)
            {
                int i = node >> 1;
                ref Connection c = ref _entries[i];
                if ((c.Flags & ConnectionFlags.Template) != 0 && c.ClientAddress == clientNetwork && c.VirtualAddress == vip
                    && c.VirtualPort == vport && c.Protocol == protocol)
                {
                    index = i;
                    return true;
                }
            }

            link = _links[node];
        }

        index = -1;
        return false;
    }

    /// <summary>A template was used for a new connection: it lives another full timeout (ip_vs_conn_put).</summary>
    public void RefreshTemplate(int index, long now)
    {
        ref Connection c = ref _entries[index];
        c.ExpiresAt = now + c.Timeout;
    }

    /// <summary>
    /// The template's server can no longer be used (ip_vs_check_template): it leaves the hash so
    /// the client is scheduled afresh, and expires once the connections it controls have ended.
    /// </summary>
    public void InvalidateTemplate(int index, long now)
    {
        ref Connection c = ref _entries[index];
        UnlinkNode(Hash(c.Protocol, c.ClientAddress, 0, c.VirtualAddress, c.VirtualPort) & _bucketMask, (uint)(index << 1) + 1);
        c.Flags |= ConnectionFlags.Unhashed;
        c.ExpiresAt = now;
        WheelRemove(index);
        WheelInsert(index, now);
    }

    /// <summary>Entries below this index may be live; see <see cref="IsLive"/>.</summary>
    public int HighWater => _highWater;

    public bool IsLive(int index) => (_entries[index].Flags & ConnectionFlags.InUse) != 0;

    private void Insert(int i, long now)
    {
        Link(i);
        if (_wheelTick < 0)
        {
            // The wheel starts turning at the first connection, so the first Expire walks every tick since.
            _wheelTick = now / TickMs;
        }

        WheelInsert(i, _entries[i].ExpiresAt);
        Count++;
    }

    /// <summary>
    /// Applies a TCP segment to the state machine (set_tcp_state): moves the server between
    /// ActiveConn and InActConn when the connection enters or leaves ESTABLISHED, and re-arms the timeout.
    /// </summary>
    public void OnTcpSegment(ref Connection c, PacketDirection direction, byte tcpFlags, long now)
    {
        if ((c.Flags & ConnectionFlags.NoOutput) != 0)
        {
            if (direction == PacketDirection.Output)
            {
                c.Flags &= ~ConnectionFlags.NoOutput;
            }
            else
            {
                direction = PacketDirection.InputOnly;
            }
        }

        TcpState next = TcpStateMachine.Next(c.State, direction, tcpFlags);
        if (next != c.State && c.Dest is { } dest)
        {
            CounterSlot slot = dest.Counters[_worker];
            if ((c.Flags & ConnectionFlags.Inactive) == 0 && next != TcpState.Established)
            {
                slot.ActiveConns--;
                slot.InactiveConns++;
                c.Flags |= ConnectionFlags.Inactive;
            }
            else if ((c.Flags & ConnectionFlags.Inactive) != 0 && next == TcpState.Established)
            {
                slot.ActiveConns++;
                slot.InactiveConns--;
                c.Flags &= ~ConnectionFlags.Inactive;
            }
        }

        bool changed = next != c.State;
        c.State = next;
        c.Timeout = Timeouts.Tcp(next);
        c.ExpiresAt = now + c.Timeout;
        if (changed)
        {
            // The wheel files an entry lazily by its deadline; a state change may shorten the
            // timeout (ESTABLISHED 900 s -> CLOSE 10 s), so re-file it now.
            int i = IndexOf(ref c);
            WheelRemove(i);
            WheelInsert(i, c.ExpiresAt);
        }
    }

    private int IndexOf(ref Connection c) =>
        (int)(Unsafe.ByteOffset(ref _entries[0], ref c) / Unsafe.SizeOf<Connection>());

    /// <summary>A UDP datagram re-arms the UDP timeout; UDP connections stay "inactive" as in ip_vs.</summary>
    public void OnUdpDatagram(ref Connection c, long now)
    {
        c.Timeout = Timeouts.Udp;
        c.ExpiresAt = now + c.Timeout;
    }

    /// <summary>Removes a connection at once (e.g. reuse of a closed tuple).</summary>
    public void Remove(int index)
    {
        WheelRemove(index);
        Release(index);
    }

    /// <summary>Expires every connection whose deadline is at or before <paramref name="now"/>; returns how many.</summary>
    public int Expire(long now)
    {
        long target = now / TickMs;
        if (_wheelTick < 0)
        {
            _wheelTick = target;
        }

        // After a long pause one lap of the wheel visits every slot once.
        long from = Math.Max(_wheelTick, target - WheelSlots + 1);
        int expired = 0;
        for (long t = from; t <= target; t++)
        {
            expired += ExpireSlot((int)(t & WheelMask), now);
        }

        _wheelTick = target + 1;
        return expired;
    }

    private static uint BitOperations_RoundUp(int v) => System.Numerics.BitOperations.RoundUpToPowerOf2((uint)v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash(IpProtocol protocol, in InetAddress a, ushort ap, in InetAddress b, ushort bp)
    {
        // Symmetric inputs would collide the two nodes of one NAT connection; the order matters here.
        // Each address folds to 32 bits first (for IPv4 the address XOR the mapped tag's 0xFFFF).
        uint fa = (uint)(a.High >> 32) ^ (uint)a.High ^ (uint)(a.Low >> 32) ^ (uint)a.Low;
        uint fb = (uint)(b.High >> 32) ^ (uint)b.High ^ (uint)(b.Low >> 32) ^ (uint)b.Low;
        ulong h = ((ulong)fa << 32 | fb) * 0x9E3779B97F4A7C15UL;
        h ^= ((ulong)ap << 24 | (ulong)bp << 8 | (byte)protocol) * 0xC2B2AE3D27D4EB4FUL;
        return (int)(h >> 32 ^ h);
    }
}
