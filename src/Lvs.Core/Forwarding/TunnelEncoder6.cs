using System.Buffers.Binary;
using Lvs.Core.Packets;
using Lvs.Core.Services;

namespace Lvs.Core.Forwarding;

/// <summary>
/// TUN forwarding with an IPv6 side (ip_vs_tunnel_xmit_v6, and the mixed families ip_vs allows):
/// <code>
/// ip6ip6:       | outer IPv6, next header 41 | inner IPv6 packet |
/// IPv6 in IPv4: | outer IPv4, protocol 41    | inner IPv6 packet |
/// IPv4 in IPv6: | outer IPv6, next header 4  | inner IPv4 packet |
/// </code>
/// (IPv4 in IPv4 is <see cref="TunnelEncoder"/>.) The outer header copies the inner traffic
/// class / TOS and hop limit / TTL; an outer IPv4 header sets DF, so a packet that does not fit
/// is refused with the MTU to report (the caller answers ICMPv6 Packet Too Big or ICMP
/// fragmentation-needed) rather than fragmented. Only IPIP-style encapsulation: GUE and GRE with
/// an IPv6 side are refused when configured. GSO super-frames are not segmented here (the caller
/// counts them as <see cref="DropReason.TunnelGsoUnsupported"/>); a partial inner checksum is
/// completed before wrapping, as the real server's decapsulator cannot.
/// </summary>
public static class TunnelEncoder6
{
    /// <summary>Bytes the outer header adds for a tunnel to <paramref name="realServer"/>.</summary>
    public static int Overhead(InetAddress realServer) => realServer.IsV4 ? Ipv4Packet.MinHeaderLength : Ipv6Packet.HeaderLength;

    /// <summary>
    /// The largest inner packet that fits a path MTU of <paramref name="mtu"/>; for an IPv6 inner
    /// packet never below 1280 (RFC 8200 §5: the client must not be told less).
    /// </summary>
    public static int InnerMtu(int mtu, InetAddress realServer, bool innerIsV6)
    {
        int inner = mtu - Overhead(realServer);
        return innerIsV6 ? Math.Max(inner, Ipv6Packet.MinimumMtu) : Math.Max(inner, 68);
    }

    /// <summary>
    /// Writes the outer header and the inner packet into <paramref name="output"/>. Returns the
    /// outer IP packet's length, or 0 when <paramref name="output"/> is too small.
    /// </summary>
    /// <param name="inner">An IPv4 or IPv6 packet, header first, hop limit already decremented.</param>
    public static int Write(Span<byte> output, ReadOnlySpan<byte> inner, InetAddress outerSource, InetAddress outerDestination, ref ushort ipId)
    {
        bool innerV6 = inner[0] >> 4 == 6;
        byte tclass = innerV6 ? (byte)(BinaryPrimitives.ReadUInt16BigEndian(inner) >> 4) : inner[1];
        byte hops = innerV6 ? inner[7] : inner[8];
        int overhead = Overhead(outerDestination);
        int total = overhead + inner.Length;
        if (output.Length < total || (outerDestination.IsV4 && total > ushort.MaxValue) || (outerDestination.IsV6 && inner.Length > ushort.MaxValue))
        {
            return 0;
        }

        inner.CopyTo(output[overhead..]);
        if (outerDestination.IsV6)
        {
            BinaryPrimitives.WriteUInt32BigEndian(output, 0x6000_0000u | ((uint)tclass << 20));
            BinaryPrimitives.WriteUInt16BigEndian(output[4..], (ushort)inner.Length);
            output[6] = innerV6 ? Ipv6Packet.NextHeaderIpv6 : Ipv6Packet.NextHeaderIpv4;
            output[7] = hops;
            outerSource.V6.WriteTo(output[8..]);
            outerDestination.V6.WriteTo(output[24..]);
            return total;
        }

        Span<byte> h = output[..Ipv4Packet.MinHeaderLength];
        h[0] = 0x45;
        h[1] = tclass;
        BinaryPrimitives.WriteUInt16BigEndian(h[2..], (ushort)total);
        BinaryPrimitives.WriteUInt16BigEndian(h[4..], ipId++);
        BinaryPrimitives.WriteUInt16BigEndian(h[6..], 0x4000); // DF: IPv6 inside is never fragmented on the way
        h[8] = hops;
        h[9] = Ipv6Packet.NextHeaderIpv6;
        BinaryPrimitives.WriteUInt16BigEndian(h[10..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(h[12..], outerSource.V4);
        BinaryPrimitives.WriteUInt32BigEndian(h[16..], outerDestination.V4);
        BinaryPrimitives.WriteUInt16BigEndian(h[10..], Checksum.Compute(h));
        return total;
    }

    /// <summary>
    /// Completes a CHECKSUM_PARTIAL TCP/UDP checksum of an IPv4 or IPv6 packet: the field holds
    /// the pseudo-header sum, so summing the segment with it in place and complementing gives the
    /// full checksum. Returns false when the transport header cannot be found.
    /// </summary>
    public static bool CompleteChecksum(Span<byte> packet)
    {
        byte protocol;
        int offset;
        if (packet[0] >> 4 == 6)
        {
            if (Ipv6ExtensionHeaders.Walk(packet, out Ipv6UpperLayer upper) != Ipv6WalkResult.Ok || upper.IsFragment)
            {
                return false;
            }

            protocol = upper.Protocol;
            offset = upper.Offset;
        }
        else
        {
            protocol = packet[9];
            offset = (packet[0] & 0x0F) * 4;
        }

        int field = protocol switch
        {
            Ipv4Packet.ProtocolTcp => TcpSegment.ChecksumOffset,
            Ipv4Packet.ProtocolUdp => UdpDatagram.ChecksumOffset,
            _ => -1,
        };
        if (field < 0 || packet.Length < offset + field + 2)
        {
            return false;
        }

        Span<byte> segment = packet[offset..];
        ushort sum = Checksum.Compute(segment);
        BinaryPrimitives.WriteUInt16BigEndian(segment[field..], protocol == Ipv4Packet.ProtocolUdp && sum == 0 ? (ushort)0xFFFF : sum);
        return true;
    }
}
