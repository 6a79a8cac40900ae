using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Lvs.Core.Connections;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Scheduling;
using Lvs.Core.Services;

namespace Lvs.Core;

/// <summary>
/// The IPv6 pipeline (ip_vs_in_hook / ip_vs_out_hook for AF_INET6): the same steps as IPv4
/// after the extension headers were walked to the transport header.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Extension headers are skipped (hop-by-hop, routing, destination options; a chain that is
/// truncated or malformed is dropped when it is for a VIP). Fragments of a VIP's traffic are
/// dropped and counted (<see cref="DropReason.Fragment"/>): like IPv4, no reassembly yet.</item>
/// <item>NAT rewrites the address and port and patches the transport checksum through the
/// pseudo-header (<see cref="NatRewriter6"/>); DR only decrements the hop limit (the I/O layer
/// writes the MAC); TUN wraps the packet for an IPv6 real server (ip6ip6) or an IPv4 one
/// (IPv6 in IPv4, protocol 41), as ip_vs allows mixed families only for tunnels.</item>
/// <item>UDP with checksum zero is dropped (RFC 8200 §8.1: not allowed over IPv6).</item>
/// </list>
/// </remarks>
public sealed partial class Director
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    private Verdict Classify6(Span<byte> frame, in PacketMeta meta, long now)
    {
        Span<byte> l3 = frame[EthernetFrame.HeaderLength..];
        Ipv6ParseResult parsed = Ipv6Packet.TryCreate(l3, out Ipv6Packet ip);
        if (parsed != Ipv6ParseResult.Ok)
        {
            return Verdict.Drop(parsed == Ipv6ParseResult.PayloadLengthPastFrame ? DropReason.Ipv6PayloadLength : DropReason.Ipv6Truncated);
        }

        InetAddress daddr = InetAddress.FromV6(ip.Destination);
        if (ip.FindUpperLayer(out Ipv6UpperLayer upper) != Ipv6WalkResult.Ok)
        {
            return _services.IsVirtualAddress(daddr) ? Verdict.Drop(DropReason.Ipv6ExtensionHeaders) : Verdict.Pass;
        }

        byte proto = upper.Protocol;
        if (upper.IsFragment)
        {
            return proto != Ipv6Packet.NextHeaderIcmpv6 && _services.IsVirtualAddress(daddr) ? Verdict.Drop(DropReason.Fragment) : Verdict.Pass;
        }

        if (proto != Ipv6Packet.NextHeaderTcp && proto != Ipv6Packet.NextHeaderUdp)
        {
            return proto == Ipv6Packet.NextHeaderIcmpv6 ? Icmp6Error(ip, upper.Offset) : Verdict.Pass;
        }

        Span<byte> l4 = ip.Bytes[upper.Offset..];
        if (l4.Length < 4)
        {
            return _services.IsVirtualAddress(daddr) ? Verdict.Drop(proto == Ipv6Packet.NextHeaderTcp ? DropReason.TcpTruncated : DropReason.UdpTruncated) : Verdict.Pass;
        }

        var protocol = (IpProtocol)proto;
        ushort sport = BinaryPrimitives.ReadUInt16BigEndian(l4);
        ushort dport = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
        InetAddress saddr = InetAddress.FromV6(ip.Source);

        if (Connections.TryFind(protocol, saddr, sport, daddr, dport, out int index, out PacketDirection direction))
        {
            if (ExpireNodestConn && Connections[index].Dest is { Available: false })
            {
                Connections.Remove(index);
                return Verdict.Drop(DropReason.DestinationRemoved);
            }

            if (!IsReusedTuple(ref Connections[index], direction, l4))
            {
                return Forward6(ip, l4, ref Connections[index], direction, meta, now);
            }

            Connections.Remove(index);
        }

        VirtualService? svc = _services.Lookup(new ServiceKey(protocol, daddr, dport))
                              ?? (_services.HasPortZeroServices ? _services.Lookup(new ServiceKey(protocol, daddr, 0)) : null)
                              ?? (_services.HasFwmarkServices ? FwmarkService(protocol, saddr, sport, daddr, dport) : null);
        return svc is null ? Verdict.Pass : NewConnection6(svc, ip, l4, protocol, meta, now);
    }

    private Verdict NewConnection6(VirtualService svc, Ipv6Packet ip, Span<byte> l4, IpProtocol protocol, in PacketMeta meta, long now)
    {
        DropReason bad = Validate6(l4, protocol, out byte tcpFlags);
        if (bad != DropReason.None)
        {
            return Verdict.Drop(bad);
        }

        if (protocol == IpProtocol.Tcp && (tcpFlags & (TcpSegment.Syn | TcpSegment.Rst)) != TcpSegment.Syn)
        {
            return Verdict.Drop(DropReason.NoConnection);
        }

        if (ip.HopLimit <= 1)
        {
            return Verdict.Drop(DropReason.TtlExceeded);
        }

        ushort sport = BinaryPrimitives.ReadUInt16BigEndian(l4);
        ushort dport = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
        InetAddress client = InetAddress.FromV6(ip.Source);
        InetAddress vip = InetAddress.FromV6(ip.Destination);
        ServiceSettings settings = svc.Settings;
        var context = new ScheduleContext(protocol, client, sport, vip, dport, now);
        int template = -1;
        RealServer? dest = settings.Persistent ? SchedulePersistent(svc, settings, context, out template) : svc.Schedule(context);
        if (dest is null)
        {
            return Verdict.Drop(DropReason.NoDestination);
        }

        ushort destPort = dest.Method == ForwardMethod.Masquerade && dest.Port != 0 ? dest.Port : dport;
        ConnectionFlags flags = settings.OnePacket && protocol == IpProtocol.Udp ? ConnectionFlags.OnePacket : ConnectionFlags.None;
        int index = Connections.Create(svc, dest, protocol, client, sport, vip, dport, destPort, now, template, flags);
        if (index < 0)
        {
            return Verdict.Drop(DropReason.TableFull);
        }

        return Forward6(ip, l4, ref Connections[index], PacketDirection.Input, meta, now);
    }

    private Verdict Forward6(Ipv6Packet ip, Span<byte> l4, ref Connection c, PacketDirection direction, in PacketMeta meta, long now)
    {
        if (direction == PacketDirection.Output && c.Method != ForwardMethod.Masquerade)
        {
            return Verdict.Pass;
        }

        DropReason bad = Validate6(l4, c.Protocol, out byte tcpFlags);
        if (bad != DropReason.None)
        {
            return Verdict.Drop(bad);
        }

        if (ip.HopLimit <= 1)
        {
            return Verdict.Drop(DropReason.TtlExceeded);
        }

        bool tcp = c.Protocol == IpProtocol.Tcp;
        Verdict verdict;
        int length = ip.TotalLength;
        if (direction == PacketDirection.Output)
        {
            NatRewriter6.RewriteSource(ip, l4, tcp, c.VirtualAddress.V6, c.VirtualPort, meta.ChecksumPartial);
            verdict = Verdict.Forward(c.ClientAddress);
            CountOut(ref c, length);
        }
        else
        {
            switch (c.Method)
            {
                case ForwardMethod.Masquerade:
                    NatRewriter6.RewriteDestination(ip, l4, tcp, c.DestAddress.V6, c.DestPort, meta.ChecksumPartial);
                    verdict = Verdict.Forward(c.DestAddress);
                    break;
                case ForwardMethod.DirectRoute:
                    verdict = Verdict.Forward(c.DestAddress);
                    break;
                default:
                    verdict = Verdict.Encapsulate(c.DestAddress, c.Dest!.Tunnel);
                    break;
            }

            CountIn(ref c, length);
        }

        ip.DecrementHopLimit();
        if (tcp)
        {
            Connections.OnTcpSegment(ref c, direction, tcpFlags, now);
        }
        else
        {
            Connections.OnUdpDatagram(ref c, now);
        }

        return verdict;
    }

    /// <summary>A whole transport header; UDP's length within the packet and its checksum not zero.</summary>
    private static DropReason Validate6(Span<byte> l4, IpProtocol protocol, out byte tcpFlags)
    {
        tcpFlags = 0;
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
        if (udpLength < UdpDatagram.HeaderLength || udpLength > l4.Length)
        {
            return DropReason.UdpLength;
        }

        return BinaryPrimitives.ReadUInt16BigEndian(l4[UdpDatagram.ChecksumOffset..]) == 0 ? DropReason.Udp6ZeroChecksum : DropReason.None;
    }
}
