using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Lvs.Core.Packets;

namespace Lvs.Agent.Decap;

/// <summary>
/// Strips the outer headers ip_vs puts around a packet it forwards by tunnelling
/// (net/netfilter/ipvs/ip_vs_xmit.c: ip_vs_tunnel_xmit, ipvs_gue_encap, ipvs_gre_encap) and
/// decides whether the inner packet may be injected. Pure functions over spans: no allocation,
/// no exception for any input. The only write is the GUE remote checksum completion, made
/// after every check has passed.
/// <para>IPIP (RFC 2003): the outer IPv4 header (protocol 4) is followed directly by the inner
/// IPv4 packet.</para>
/// <para>GRE (RFC 2784, RFC 2890), after an outer IPv4 header with protocol 47:</para>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |C|R|K|S| Reserved0       | Ver |         Protocol Type         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      Checksum (if C)          |       Reserved1 (if C)        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Key (if K)                            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  Sequence Number (if S)                       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The GRE checksum covers the GRE header and its payload. ip_vs sends C only with --tun-csum
/// and never K or S, but other GRE senders do, so their words are skipped.
/// </summary>
public static partial class Decapsulator
{
    public const byte ProtocolIpip = 4;
    public const byte ProtocolGre = 47;
    public const ushort GreProtocolIpv4 = 0x0800;

    private const byte GreFlagChecksum = 0x80;
    private const byte GreFlagRouting = 0x40;
    private const byte GreFlagKey = 0x20;
    private const byte GreFlagSequence = 0x10;

    /// <summary>
    /// Decapsulates what a tunnel socket read: for <see cref="TunnelType.Ipip"/> and
    /// <see cref="TunnelType.Gre"/> the outer IPv4 packet (a raw socket's read), for
    /// <see cref="TunnelType.Gue"/> the UDP payload (a UDP socket's read). On
    /// <see cref="DecapResult.Deliver"/>, [<paramref name="innerOffset"/>,
    /// <paramref name="innerOffset"/> + <paramref name="innerLength"/>) is the inner IPv4 packet,
    /// trimmed to its total length, whose destination is one of <paramref name="vips"/>
    /// (host-order addresses).
    /// </summary>
    public static DecapResult Decapsulate(
        TunnelType type, Span<byte> received, ReadOnlySpan<uint> vips, out int innerOffset, out int innerLength) =>
        type switch
        {
            TunnelType.Ipip => Ipip(received, vips, out innerOffset, out innerLength),
            TunnelType.Gre => Gre(received, vips, out innerOffset, out innerLength),
            _ => Gue(received, vips, out innerOffset, out innerLength),
        };

    /// <summary>An outer IPv4 packet with protocol 4 whose payload is the inner IPv4 packet.</summary>
    public static DecapResult Ipip(Span<byte> outer, ReadOnlySpan<uint> vips, out int innerOffset, out int innerLength)
    {
        innerOffset = 0;
        innerLength = 0;
        DecapResult result = Outer(outer, ProtocolIpip, out int payload, out int end);
        if (result != DecapResult.Deliver)
        {
            return result;
        }

        result = Inner(outer[payload..end], vips, out innerLength);
        innerOffset = payload;
        return result;
    }

    /// <summary>An outer IPv4 packet with protocol 47 carrying GRE with protocol type 0x0800.</summary>
    public static DecapResult Gre(Span<byte> outer, ReadOnlySpan<uint> vips, out int innerOffset, out int innerLength)
    {
        innerOffset = 0;
        innerLength = 0;
        DecapResult result = Outer(outer, ProtocolGre, out int payload, out int end);
        if (result != DecapResult.Deliver)
        {
            return result;
        }

        Span<byte> gre = outer[payload..end];
        if (gre.Length < 4)
        {
            return DecapResult.GreTruncated;
        }

        byte flags = gre[0];
        if ((gre[1] & 0x07) != 0)
        {
            return DecapResult.GreBadVersion;
        }

        if ((flags & GreFlagRouting) != 0)
        {
            return DecapResult.GreRouting;
        }

        int headerLength = 4
            + ((flags & GreFlagChecksum) != 0 ? 4 : 0)
            + ((flags & GreFlagKey) != 0 ? 4 : 0)
            + ((flags & GreFlagSequence) != 0 ? 4 : 0);
        if (gre.Length < headerLength)
        {
            return DecapResult.GreTruncated;
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(gre[2..]) != GreProtocolIpv4)
        {
            return DecapResult.GreBadProtocol;
        }

        // A sum over header and payload, checksum field included, is 0xFFFF when it verifies.
        if ((flags & GreFlagChecksum) != 0 && Checksum.Fold(Checksum.Add(gre)) != 0xFFFF)
        {
            return DecapResult.GreBadChecksum;
        }

        result = Inner(gre[headerLength..], vips, out innerLength);
        innerOffset = payload + headerLength;
        return result;
    }

    /// <summary>Validates the outer IPv4 header and its protocol; the payload is [payload, end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static DecapResult Outer(Span<byte> outer, byte protocol, out int payload, out int end)
    {
        payload = 0;
        end = 0;
        switch (Ipv4Packet.TryCreate(outer, out Ipv4Packet ip))
        {
            case Ipv4ParseResult.Ok:
                break;
            case Ipv4ParseResult.Truncated or Ipv4ParseResult.TotalLengthPastFrame:
                return DecapResult.OuterTruncated;
            default:
                return DecapResult.OuterMalformed;
        }

        if (ip.Protocol != protocol)
        {
            return DecapResult.OuterWrongProtocol;
        }

        payload = ip.HeaderLength;
        end = ip.TotalLength;
        return DecapResult.Deliver;
    }

    /// <summary>
    /// Validates the inner IPv4 packet at the start of <paramref name="inner"/> and checks its
    /// destination; <paramref name="length"/> is its total length (trailing bytes are padding).
    /// </summary>
    private static DecapResult Inner(ReadOnlySpan<byte> inner, ReadOnlySpan<uint> vips, out int length)
    {
        length = 0;
        if (inner.Length == 0)
        {
            return DecapResult.InnerTruncated;
        }

        if (inner[0] >> 4 != 4)
        {
            return DecapResult.InnerNotIpv4;
        }

        if (inner.Length < Ipv4Packet.MinHeaderLength)
        {
            return DecapResult.InnerTruncated;
        }

        int ihl = (inner[0] & 0x0F) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(inner[2..]);
        if (ihl < Ipv4Packet.MinHeaderLength || total < ihl)
        {
            return DecapResult.InnerMalformed;
        }

        if (total > inner.Length)
        {
            return DecapResult.InnerTruncated;
        }

        if (Checksum.Fold(Checksum.Add(inner[..ihl])) != 0xFFFF)
        {
            return DecapResult.InnerBadChecksum;
        }

        uint destination = BinaryPrimitives.ReadUInt32BigEndian(inner[16..]);
        if (vips.IndexOf(destination) < 0)
        {
            return DecapResult.NotOurVip;
        }

        length = total;
        return DecapResult.Deliver;
    }
}
