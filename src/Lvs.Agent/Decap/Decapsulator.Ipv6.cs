using Lvs.Core.Packets;

namespace Lvs.Agent.Decap;

/// <summary>
/// Which socket a tunnelled packet was read from, which fixes both its encapsulation and how much
/// of the outer header the read still contains. ip_vs encapsulates by the real server's family
/// (net/netfilter/ipvs/ip_vs_xmit.c: ip_vs_tunnel_xmit for an IPv4 real server,
/// ip_vs_tunnel_xmit_v6 for an IPv6 one) and names the inner family in the outer protocol /
/// next header (ip_vs_prepare_tunneled_skb: 41 for an IPv6 inner packet, 4 for IPv4), so an
/// IPv4 service may have IPv6 real servers and the other way round, for tunnelling only.
/// </summary>
public enum DecapPath
{
    /// <summary>socket(AF_INET, SOCK_RAW, 4): outer IPv4 header, then the inner IPv4 packet.</summary>
    Ipip,

    /// <summary>socket(AF_INET, SOCK_RAW, 47): outer IPv4 header, GRE, inner IPv4.</summary>
    Gre,

    /// <summary>A UDP socket on the GUE port: the GUE header, then inner IPv4.</summary>
    Gue,

    /// <summary>socket(AF_INET, SOCK_RAW, 41): outer IPv4 header (protocol 41), then the inner IPv6 packet.</summary>
    Ip6InIp4,

    /// <summary>
    /// socket(AF_INET6, SOCK_RAW, 41): the inner IPv6 packet alone. IPv6 raw sockets never see the
    /// outer IPv6 header or its extension headers (RFC 3542 §3; verified on this kernel).
    /// </summary>
    Ip6InIp6,

    /// <summary>socket(AF_INET6, SOCK_RAW, 4): the inner IPv4 packet alone, as for <see cref="Ip6InIp6"/>.</summary>
    Ip4InIp6,
}

/// <summary>
/// IPv6 tunnels (RFC 2473 IPv6-in-IPv6 and IPv4-in-IPv6, RFC 4213 IPv6-in-IPv4), as ip_vs builds
/// them for TUN: no tunnel header between outer and inner, and no encapsulation-limit option
/// (ip_vs does not add one). The inner IPv6 packet is checked for its fixed header, its payload
/// length against the read, and a well-formed extension header chain
/// (<see cref="Ipv6ExtensionHeaders.Walk"/>); the kernel reassembles inner fragments itself.
/// </summary>
public static partial class Decapsulator
{
    /// <summary>IPPROTO_IPV6: an IPv6 packet inside (include/uapi/linux/in.h).</summary>
    public const byte ProtocolIpv6 = 41;

    /// <summary>
    /// Decapsulates a read from the socket <paramref name="path"/> names. IPv4 inner packets are
    /// checked against <paramref name="vips4"/> (host-order), IPv6 ones against
    /// <paramref name="vips6"/>. On <see cref="DecapResult.Deliver"/> the inner packet is
    /// [<paramref name="innerOffset"/>, <paramref name="innerOffset"/> + <paramref name="innerLength"/>).
    /// </summary>
    public static DecapResult Decapsulate(
        DecapPath path,
        Span<byte> received,
        ReadOnlySpan<uint> vips4,
        ReadOnlySpan<Ipv6Address> vips6,
        out int innerOffset,
        out int innerLength) =>
        path switch
        {
            DecapPath.Ipip => Ipip(received, vips4, out innerOffset, out innerLength),
            DecapPath.Gre => Gre(received, vips4, out innerOffset, out innerLength),
            DecapPath.Gue => Gue(received, vips4, out innerOffset, out innerLength),
            DecapPath.Ip6InIp4 => Ip6InIp4(received, vips6, out innerOffset, out innerLength),
            DecapPath.Ip6InIp6 => Ip6InIp6(received, vips6, out innerOffset, out innerLength),
            _ => Ip4InIp6(received, vips4, out innerOffset, out innerLength),
        };

    /// <summary>An outer IPv4 packet with protocol 41 whose payload is the inner IPv6 packet.</summary>
    public static DecapResult Ip6InIp4(Span<byte> outer, ReadOnlySpan<Ipv6Address> vips, out int innerOffset, out int innerLength)
    {
        innerOffset = 0;
        innerLength = 0;
        DecapResult result = Outer(outer, ProtocolIpv6, out int payload, out int end);
        if (result != DecapResult.Deliver)
        {
            return result;
        }

        result = Inner6(outer[payload..end], vips, out innerLength);
        innerOffset = result == DecapResult.Deliver ? payload : 0;
        return result;
    }

    /// <summary>What an AF_INET6 raw socket for protocol 41 reads: the inner IPv6 packet itself.</summary>
    public static DecapResult Ip6InIp6(Span<byte> payload, ReadOnlySpan<Ipv6Address> vips, out int innerOffset, out int innerLength)
    {
        innerOffset = 0;
        return Inner6(payload, vips, out innerLength);
    }

    /// <summary>What an AF_INET6 raw socket for protocol 4 reads: the inner IPv4 packet itself.</summary>
    public static DecapResult Ip4InIp6(Span<byte> payload, ReadOnlySpan<uint> vips, out int innerOffset, out int innerLength)
    {
        innerOffset = 0;
        return Inner(payload, vips, out innerLength);
    }

    /// <summary>
    /// Validates the inner IPv6 packet at the start of <paramref name="inner"/> and checks its
    /// destination; <paramref name="length"/> is 40 + its payload length (trailing bytes are padding).
    /// </summary>
    private static DecapResult Inner6(Span<byte> inner, ReadOnlySpan<Ipv6Address> vips, out int length)
    {
        length = 0;
        if (inner.Length == 0)
        {
            return DecapResult.InnerTruncated;
        }

        if (inner[0] >> 4 != 6)
        {
            return DecapResult.InnerNotIpv6;
        }

        // Version is checked above, so anything but Ok means the bytes end too early.
        if (Ipv6Packet.TryCreate(inner, out Ipv6Packet ip) != Ipv6ParseResult.Ok)
        {
            return DecapResult.InnerTruncated;
        }

        // The view ends at the payload length, so a chain running past it is malformed, not cut short.
        if (ip.FindUpperLayer(out _) != Ipv6WalkResult.Ok)
        {
            return DecapResult.InnerBadExtensionHeaders;
        }

        if (vips.IndexOf(ip.Destination) < 0)
        {
            return DecapResult.NotOurVip;
        }

        length = ip.TotalLength;
        return DecapResult.Deliver;
    }
}
