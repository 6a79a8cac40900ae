using System.Buffers.Binary;

namespace Lvs.Core.Packets;

/// <summary>
/// ICMPv6 errors the director originates (RFC 4443 §3), written as a complete IPv6 packet:
/// <code>
/// +-------------------------------+  IPv6 header: hop limit 64, next header 58,
/// | IPv6 header (40)              |  from the given source to the offending source
/// +-------------------------------+
/// | type | code | checksum        |  ICMPv6 header (8); the checksum covers the
/// | MTU / pointer / unused        |  IPv6 pseudo-header (RFC 4443 §2.3)
/// +-------------------------------+
/// | offending packet, cut so the  |  RFC 4443 §2.4 (c): the whole error must not
/// | whole is at most 1280 bytes   |  exceed the minimum IPv6 MTU
/// +-------------------------------+
/// </code>
/// The rules of RFC 4443 §2.4 (e) on which packets must not provoke an error (errors,
/// multicast destinations other than for packet too big, ...) are the caller's to apply.
/// </summary>
public static class Icmpv6Builder
{
    /// <summary>RFC 4443 §2.4 (c): an ICMPv6 error fits the minimum IPv6 MTU.</summary>
    public const int MaxErrorLength = Ipv6Packet.MinimumMtu;

    /// <summary>The hop limit of originated errors, the kernel's default (<c>net.ipv6.conf.*.hop_limit</c>).</summary>
    public const byte HopLimit = 64;

    private const int HeadersLength = Ipv6Packet.HeaderLength + Icmpv6Message.HeaderLength;

    /// <summary>
    /// Writes an IPv6 "packet too big" (type 2, code 0) carrying <paramref name="mtu"/> about
    /// <paramref name="offending"/> (an IPv6 packet, header first), addressed to its source, from
    /// <paramref name="source"/>. Returns the IPv6 length written (at most 1280).
    /// </summary>
    public static int PacketTooBig(Span<byte> output, ReadOnlySpan<byte> offending, uint mtu, Ipv6Address source) =>
        Error(output, Icmpv6Message.TypePacketTooBig, 0, mtu, offending, source);

    /// <summary>
    /// Writes any RFC 4443 error: <paramref name="parameter"/> is the second word (MTU for type 2,
    /// pointer for type 4, zero otherwise). <paramref name="offending"/> must hold at least its
    /// 40-byte IPv6 header; <paramref name="output"/> at least 48 + the quote. Returns the IPv6 length written.
    /// </summary>
    public static int Error(Span<byte> output, byte type, byte code, uint parameter, ReadOnlySpan<byte> offending, Ipv6Address source)
    {
        int quote = Math.Min(offending.Length, MaxErrorLength - HeadersLength);
        int total = HeadersLength + quote;
        Ipv6Address destination = Ipv6Address.ReadFrom(offending[8..]);

        Span<byte> ip = output[..total];
        BinaryPrimitives.WriteUInt32BigEndian(ip, 0x6000_0000); // version 6, traffic class 0, flow label 0
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)(total - Ipv6Packet.HeaderLength));
        ip[6] = Ipv6Packet.NextHeaderIcmpv6;
        ip[7] = HopLimit;
        source.WriteTo(ip[8..]);
        destination.WriteTo(ip[24..]);

        Span<byte> icmp = ip[Ipv6Packet.HeaderLength..];
        icmp[0] = type;
        icmp[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[Icmpv6Message.ChecksumOffset..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(icmp[4..], parameter);
        offending[..quote].CopyTo(icmp[Icmpv6Message.HeaderLength..]);
        ushort sum = Checksum6.Transport(source, destination, Ipv6Packet.NextHeaderIcmpv6, icmp);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[Icmpv6Message.ChecksumOffset..], sum);
        return total;
    }
}
