using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Lvs.Core.Connections;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Scheduling;
using Lvs.Core.Services;

namespace Lvs.Core;

/// <summary>
/// The per-worker pipeline: classify → look up → schedule → rewrite → verdict.
/// </summary>
/// <remarks>
/// A frame enters as a writable span (Ethernet header first) with its metadata and the time;
/// it leaves rewritten in place with a verdict. Nothing here allocates, blocks or reads a clock.
/// One Director per worker: it owns that worker's <see cref="ConnectionTable"/> and writes
/// that worker's counter slots; the <see cref="ServiceTable"/> is shared and read lock-free.
/// </remarks>
public sealed partial class Director
{
    private readonly ServiceTable _services;
    private readonly int _worker;

    public Director(ServiceTable services, int worker = 0, ConnectionTable? connections = null)
    {
        _services = services;
        _worker = worker;
        Connections = connections ?? new ConnectionTable(worker);
    }

    public ConnectionTable Connections { get; }

    /// <summary>
    /// ip_vs's expire_nodest_conn: a packet of a connection whose real server was deleted expires
    /// the connection and is dropped. Off (the default), such connections keep being forwarded
    /// until they end, so removing a server drains it gracefully (ip_vs drops their packets silently
    /// while the entries time out).
    /// </summary>
    public bool ExpireNodestConn { get; set; }

    public DropCounters Drops { get; } = new();

    /// <summary>Decides what happens to one frame; the frame may be rewritten in place.</summary>
    public Verdict Process(Span<byte> frame, in PacketMeta meta, long now)
    {
        Verdict v = Classify(frame, meta, now);
        if (v.Kind == VerdictKind.Drop)
        {
            Drops.Add(v.Reason);
        }

        return v;
    }

    /// <summary>Expires connections whose deadline passed; call a few times a second.</summary>
    public int Tick(long now) => Connections.Expire(now);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Verdict Classify(Span<byte> frame, in PacketMeta meta, long now)
    {
        if (frame.Length < EthernetFrame.HeaderLength)
        {
            return Verdict.Drop(DropReason.FrameTruncated);
        }

        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        if (etherType != EthernetFrame.TypeIPv4)
        {
            return etherType == EthernetFrame.TypeIPv6 ? Classify6(frame, meta, now) : Verdict.Pass;
        }

        Span<byte> l3 = frame[EthernetFrame.HeaderLength..];
        Ipv4ParseResult parsed = Ipv4Packet.TryCreate(l3, out Ipv4Packet ip);
        if (parsed != Ipv4ParseResult.Ok)
        {
            return Verdict.Drop(parsed switch
            {
                Ipv4ParseResult.Truncated => DropReason.IpTruncated,
                Ipv4ParseResult.BadVersion => DropReason.IpBadVersion,
                Ipv4ParseResult.BadHeaderLength => DropReason.IpHeaderLength,
                Ipv4ParseResult.BadTotalLength => DropReason.IpTotalLength,
                _ => DropReason.IpTotalLengthPastFrame,
            });
        }

        byte proto = ip.Protocol;
        if (proto != Ipv4Packet.ProtocolTcp && proto != Ipv4Packet.ProtocolUdp)
        {
            return proto == Ipv4Packet.ProtocolIcmp ? IcmpError(ip) : Verdict.Pass;
        }

        if (ip.IsFragment)
        {
            // ip_vs reassembles; we do not yet. Fragments for a VIP are ours to count and drop.
            return _services.IsVirtualAddress(ip.Destination) ? Verdict.Drop(DropReason.Fragment) : Verdict.Pass;
        }

        Span<byte> l4 = ip.Payload;
        if (l4.Length < 4)
        {
            return _services.IsVirtualAddress(ip.Destination) ? Verdict.Drop(proto == Ipv4Packet.ProtocolTcp ? DropReason.TcpTruncated : DropReason.UdpTruncated) : Verdict.Pass;
        }

        var protocol = (IpProtocol)proto;
        ushort sport = BinaryPrimitives.ReadUInt16BigEndian(l4);
        ushort dport = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
        InetAddress saddr = InetAddress.FromV4(ip.Source);
        InetAddress daddr = InetAddress.FromV4(ip.Destination);

        if (Connections.TryFind(protocol, saddr, sport, daddr, dport, out int index, out PacketDirection direction))
        {
            if (ExpireNodestConn && Connections[index].Dest is { Available: false })
            {
                Connections.Remove(index);
                return Verdict.Drop(DropReason.DestinationRemoved);
            }

            if (!IsReusedTuple(ref Connections[index], direction, l4))
            {
                return Forward(ip, l4, ref Connections[index], direction, meta, now);
            }

            // A new SYN on a closed tuple is a new connection: schedule it afresh rather than
            // pinning it to the old server (ip_vs conn_reuse_mode=1, without its 1 s stall).
            Connections.Remove(index);
        }

        // A service on the exact port, else a persistent port-0 service on the VIP (all ports),
        // else the service of the packet's firewall mark.
        VirtualService? svc = _services.Lookup(new ServiceKey(protocol, daddr, dport))
                              ?? (_services.HasPortZeroServices ? _services.Lookup(new ServiceKey(protocol, daddr, 0)) : null)
                              ?? (_services.HasFwmarkServices ? FwmarkService(protocol, saddr, sport, daddr, dport) : null);
        if (svc is null)
        {
            return Verdict.Pass;
        }

        return NewConnection(svc, ip, l4, protocol, meta, now);
    }

    /// <summary>ip_vs_service_find's last resort: the service of the packet's firewall mark.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private VirtualService? FwmarkService(IpProtocol protocol, InetAddress saddr, ushort sport, InetAddress daddr, ushort dport)
    {
        // A mark selects the service of the packet's own family: FWM 1 and FWM 1 -6 are two services.
        uint mark = _services.Marks.Classify(protocol, saddr, sport, daddr, dport);
        return mark == 0 ? null : _services.Lookup(ServiceKey.ForFwmark(mark, daddr.IsV6));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private Verdict NewConnection(VirtualService svc, Ipv4Packet ip, Span<byte> l4, IpProtocol protocol, in PacketMeta meta, long now)
    {
        DropReason bad = Validate(ip, l4, protocol, out byte tcpFlags);
        if (bad != DropReason.None)
        {
            return Verdict.Drop(bad);
        }

        // ip_vs schedules TCP only on a SYN without RST (tcp_conn_schedule); anything else for
        // the VIP without a connection is not ours to forward.
        if (protocol == IpProtocol.Tcp && (tcpFlags & (TcpSegment.Syn | TcpSegment.Rst)) != TcpSegment.Syn)
        {
            return Verdict.Drop(DropReason.NoConnection);
        }

        if (ip.TimeToLive <= 1)
        {
            return Verdict.Drop(DropReason.TtlExceeded);
        }

        ushort sport = BinaryPrimitives.ReadUInt16BigEndian(l4);
        ushort dport = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
        ServiceSettings settings = svc.Settings;
        var context = new ScheduleContext(protocol, ip.Source, sport, ip.Destination, dport, now);
        int template = -1;
        RealServer? dest = settings.Persistent
            ? SchedulePersistent(svc, settings, context, out template)
            : svc.Schedule(context);
        if (dest is null)
        {
            return Verdict.Drop(DropReason.NoDestination);
        }

        // NAT: the server's own port if it has one, else the packet's (port-0 and fwmark services), as
        // ip_vs_schedule; DR and TUN cannot change the port.
        ushort destPort = dest.Method == ForwardMethod.Masquerade && dest.Port != 0 ? dest.Port : dport;
        ConnectionFlags flags = settings.OnePacket && protocol == IpProtocol.Udp ? ConnectionFlags.OnePacket : ConnectionFlags.None;
        int index = Connections.Create(svc, dest, protocol, ip.Source, sport, ip.Destination, dport, destPort, now, template, flags);
        if (index < 0)
        {
            return Verdict.Drop(DropReason.TableFull);
        }

        return Forward(ip, l4, ref Connections[index], PacketDirection.Input, meta, now);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Verdict Forward(Ipv4Packet ip, Span<byte> l4, ref Connection c, PacketDirection direction, in PacketMeta meta, long now)
    {
        // Only NAT replies come back through the director (ip_vs_out handles MASQ only); a DR or
        // TUN reply that passes here anyway is the kernel's to route, not ours to judge.
        if (direction == PacketDirection.Output && c.Method != ForwardMethod.Masquerade)
        {
            return Verdict.Pass;
        }

        DropReason bad = Validate(ip, l4, c.Protocol, out byte tcpFlags);
        if (bad != DropReason.None)
        {
            return Verdict.Drop(bad);
        }

        if (ip.TimeToLive <= 1)
        {
            return Verdict.Drop(DropReason.TtlExceeded);
        }

        Verdict verdict;
        int length = ip.TotalLength;
        if (direction == PacketDirection.Output)
        {
            NatRewriter.RewriteSource(ip, c.VirtualAddress.V4, c.VirtualPort, meta.ChecksumPartial);
            verdict = Verdict.Forward(c.ClientAddress);
            CountOut(ref c, length);
        }
        else
        {
            verdict = c.Method switch
            {
                ForwardMethod.Masquerade => RewriteIn(ip, ref c, meta.ChecksumPartial),
                ForwardMethod.DirectRoute => Verdict.Forward(c.DestAddress),
                _ => Verdict.Encapsulate(c.DestAddress, c.Dest!.Tunnel),
            };
            CountIn(ref c, length);
        }

        ip.DecrementTimeToLive();

        if (c.Protocol == IpProtocol.Tcp)
        {
            Connections.OnTcpSegment(ref c, direction, tcpFlags, now);
        }
        else
        {
            Connections.OnUdpDatagram(ref c, now);
        }

        return verdict;
    }

    private static Verdict RewriteIn(Ipv4Packet ip, ref Connection c, bool partial)
    {
        NatRewriter.RewriteDestination(ip, c.DestAddress.V4, c.DestPort, partial);
        return Verdict.Forward(c.DestAddress);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CountIn(ref Connection c, int length)
    {
        CounterSlot s = c.Service!.Counters[_worker];
        s.InPackets++;
        s.InBytes += length;
        CounterSlot d = c.Dest!.Counters[_worker];
        d.InPackets++;
        d.InBytes += length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CountOut(ref Connection c, int length)
    {
        CounterSlot s = c.Service!.Counters[_worker];
        s.OutPackets++;
        s.OutBytes += length;
        CounterSlot d = c.Dest!.Counters[_worker];
        d.OutPackets++;
        d.OutBytes += length;
    }

    /// <summary>
    /// ip_vs_sched_persist: the client's network keeps the real server its template names while
    /// that server is available; otherwise the scheduler picks one and a template records it.
    /// Templates are &lt;proto, client AND mask, 0, VIP, vport&gt;, vport 0 for port-0 services.
    /// </summary>
    internal RealServer? SchedulePersistent(VirtualService svc, ServiceSettings settings, in ScheduleContext context, out int template)
    {
        // Templates: <proto, client net, 0, VIP, vport> (vport 0 for port-0 services), and for
        // fwmark services <IP, client net, 0, mark, 0>.
        InetAddress network = context.ClientAddress.Network(settings.PersistenceMask);
        ushort templatePort = svc.Key.Port;
        IpProtocol templateProtocol = svc.Key.IsFwmark ? IpProtocol.Ip : context.Protocol;
        InetAddress templateAddress = svc.Key.IsFwmark ? svc.Key.Address : context.VirtualAddress;
        if (Connections.TryFindTemplate(templateProtocol, network, templateAddress, templatePort, out template))
        {
            RealServer kept = Connections[template].Dest!;
            if (kept.Available)
            {
                Connections.RefreshTemplate(template, context.Now);
                return kept;
            }

            Connections.InvalidateTemplate(template, context.Now);
        }

        RealServer? dest = svc.Schedule(context);
        template = dest is null
            ? -1
            : Connections.CreateTemplate(svc, dest, templateProtocol, network, templateAddress, templatePort,
                templatePort == 0 ? (ushort)0 : dest.Port, settings.PersistenceTimeoutMs, context.Now);
        return dest;
    }

    /// <summary>
    /// True for a client datagram of a one-packet (-o) UDP service, and for a client SYN on an
    /// entry in TIME_WAIT or CLOSE, or in FIN_WAIT when the director
    /// sees only the client's side (DR, TUN: the last state it can see), as ip_vs does with
    /// conn_reuse_mode bits 1 and 2 (is_new_conn_expected): the client has started a new
    /// connection that happens to reuse the old one's ports.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsReusedTuple(ref Connection c, PacketDirection direction, Span<byte> l4)
    {
        if (direction == PacketDirection.Output)
        {
            return false;
        }

        if ((c.Flags & ConnectionFlags.OnePacket) != 0)
        {
            return true; // -o: every datagram from the client is scheduled on its own
        }

        return c.Protocol == IpProtocol.Tcp
               && (c.State is TcpState.TimeWait or TcpState.Close
                   || (c.State == TcpState.FinWait && (c.Flags & ConnectionFlags.NoOutput) != 0))
               && l4.Length > 13
               && (l4[13] & (TcpSegment.Syn | TcpSegment.Ack | TcpSegment.Rst)) == TcpSegment.Syn;
    }

    /// <summary>Checks what forwarding relies on: IPv4 header checksum and a whole transport header.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static DropReason Validate(Ipv4Packet ip, Span<byte> l4, IpProtocol protocol, out byte tcpFlags)
    {
        tcpFlags = 0;
        if (!ip.HeaderChecksumValid)
        {
            return DropReason.IpChecksum;
        }

        if (protocol == IpProtocol.Tcp)
        {
            TcpParseResult r = TcpSegment.TryCreate(l4, out TcpSegment tcp);
            if (r != TcpParseResult.Ok)
            {
                return r == TcpParseResult.BadDataOffset ? DropReason.TcpDataOffset : DropReason.TcpTruncated;
            }

            tcpFlags = tcp.Flags;
            return DropReason.None;
        }

        if (l4.Length < UdpDatagram.HeaderLength)
        {
            return DropReason.UdpTruncated;
        }

        int udpLength = BinaryPrimitives.ReadUInt16BigEndian(l4[4..]);
        return udpLength < UdpDatagram.HeaderLength || udpLength > l4.Length ? DropReason.UdpLength : DropReason.None;
    }
}
