using System.Buffers.Binary;

namespace Lvs.Core.Packets;

/// <summary>
/// Neighbour discovery frames lvsd writes itself (RFC 4861), the IPv6 counterpart of
/// <see cref="ArpPacket.WriteRequest"/>. Each is a full Ethernet frame of 86 bytes:
/// <code>
/// +----------------------------+ Ethernet (14): 33:33:xx:xx:xx:xx (RFC 2464 §7) or a unicast MAC
/// | dst MAC | src MAC | 86dd   |
/// +----------------------------+ IPv6 (40): hop limit 255 (RFC 4861 §7.1: receivers drop
/// | 6 | 0 | 0 | 32 | 58 | 255  |   anything else, which proves the packet came from the link)
/// | source | destination       |
/// +----------------------------+ ICMPv6 NS/NA (24): type, code 0, checksum, reserved/flags, target
/// | 135/136 | 0 | sum | ...    |
/// | target address             |
/// +----------------------------+ option (8): source (1) or target (2) link-layer address
/// | 1/2 | 1 | MAC              |
/// +----------------------------+
/// </code>
/// </summary>
public static class Ndp
{
    /// <summary>Ethernet + IPv6 + NS/NA + one link-layer option.</summary>
    public const int FrameLength = EthernetFrame.HeaderLength + Ipv6Packet.HeaderLength + MessageLength;

    /// <summary>RFC 4861 §7.1: the hop limit of every neighbour discovery packet.</summary>
    public const byte HopLimit = 255;

    private const int MessageLength = NdpOptions.FixedLength + 8;

    /// <summary>
    /// The solicited-node multicast group of <paramref name="address"/> (RFC 4291 §2.7.1):
    /// <c>ff02::1:ff00:0/104</c> followed by the address's low 24 bits.
    /// </summary>
    public static Ipv6Address SolicitedNodeMulticast(Ipv6Address address) =>
        new(0xFF02_0000_0000_0000UL, 0x0000_0001_FF00_0000UL | (address.Low & 0xFF_FFFF));

    /// <summary>The Ethernet MAC of an IPv6 multicast group (RFC 2464 §7): 33:33 and the group's low 32 bits.</summary>
    public static void WriteMulticastMac(Span<byte> mac, Ipv6Address group)
    {
        mac[0] = 0x33;
        mac[1] = 0x33;
        BinaryPrimitives.WriteUInt32BigEndian(mac[2..6], (uint)group.Low);
    }

    /// <summary>
    /// Writes a neighbour solicitation for <paramref name="target"/> from <paramref name="source"/>
    /// to the target's solicited-node group, with the source link-layer address option
    /// (<paramref name="srcMac"/>), as the kernel's <c>ndisc_send_ns</c> does for address
    /// resolution. Returns <see cref="FrameLength"/>.
    /// </summary>
    public static int WriteSolicitation(Span<byte> frame, ReadOnlySpan<byte> srcMac, Ipv6Address source, Ipv6Address target)
    {
        Ipv6Address group = SolicitedNodeMulticast(target);
        Span<byte> icmp = WriteHeaders(frame, srcMac, source, group);
        WriteMulticastMac(frame, group);
        icmp[0] = Icmpv6Message.TypeNeighbourSolicitation;
        BinaryPrimitives.WriteUInt32BigEndian(icmp[4..], 0);
        return WriteMessageTail(icmp, NdpOptions.SourceLinkLayerAddress, srcMac, source, group, target);
    }

    /// <summary>
    /// Writes a neighbour advertisement of <paramref name="target"/> at <paramref name="srcMac"/>
    /// with the target link-layer address option. <paramref name="flags"/> combines
    /// <see cref="NeighbourAdvertisement.FlagRouter"/>, <c>FlagSolicited</c> and <c>FlagOverride</c>;
    /// <paramref name="dstMac"/> is ignored for a multicast <paramref name="destination"/>, whose
    /// group MAC is written instead. Returns <see cref="FrameLength"/>.
    /// </summary>
    public static int WriteAdvertisement(Span<byte> frame, ReadOnlySpan<byte> srcMac, ReadOnlySpan<byte> dstMac,
        Ipv6Address source, Ipv6Address destination, Ipv6Address target, byte flags)
    {
        Span<byte> icmp = WriteHeaders(frame, srcMac, source, destination);
        if (destination.IsMulticast)
        {
            WriteMulticastMac(frame, destination);
        }
        else
        {
            dstMac[..6].CopyTo(frame);
        }

        icmp[0] = Icmpv6Message.TypeNeighbourAdvertisement;
        BinaryPrimitives.WriteUInt32BigEndian(icmp[4..], (uint)(flags & 0xE0) << 24);
        return WriteMessageTail(icmp, NdpOptions.TargetLinkLayerAddress, srcMac, source, destination, target);
    }

    /// <summary>
    /// Writes an unsolicited neighbour advertisement (RFC 4861 §7.2.6) of <paramref name="target"/>
    /// at <paramref name="srcMac"/> to all nodes (<c>ff02::1</c>) from the target itself, with the
    /// override flag set so neighbours replace their cached MAC at once: what the kernel's
    /// <c>ndisc_send_unsol_na</c> and keepalived send when an address moves to this host.
    /// Returns <see cref="FrameLength"/>.
    /// </summary>
    public static int WriteUnsolicitedAdvertisement(Span<byte> frame, ReadOnlySpan<byte> srcMac, Ipv6Address target, bool router = false)
    {
        byte flags = (byte)(NeighbourAdvertisement.FlagOverride | (router ? NeighbourAdvertisement.FlagRouter : 0));
        return WriteAdvertisement(frame, srcMac, default, target, Ipv6Address.AllNodes, target, flags);
    }

    /// <summary>
    /// RFC 4861 §7.1 checks on the carrying packet: ICMPv6 directly after the fixed header, hop
    /// limit 255 and a valid checksum. On success <paramref name="icmp"/> is the message, ready
    /// for <see cref="NeighbourSolicitation.TryCreate"/> or <see cref="NeighbourAdvertisement.TryCreate"/>.
    /// </summary>
    public static bool TryGetVerifiedMessage(Ipv6Packet packet, out Span<byte> icmp)
    {
        icmp = default;
        if (packet.NextHeader != Ipv6Packet.NextHeaderIcmpv6 || packet.HopLimit != HopLimit
            || packet.PayloadLength < Icmpv6Message.HeaderLength
            || !Checksum6.Verify(packet.Source, packet.Destination, Ipv6Packet.NextHeaderIcmpv6, packet.Payload))
        {
            return false;
        }

        icmp = packet.Payload;
        return true;
    }

    private static Span<byte> WriteHeaders(Span<byte> frame, ReadOnlySpan<byte> srcMac, Ipv6Address source, Ipv6Address destination)
    {
        Span<byte> f = frame[..FrameLength];
        srcMac[..6].CopyTo(f[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(f[12..], EthernetFrame.TypeIPv6);
        Span<byte> ip = f[EthernetFrame.HeaderLength..];
        BinaryPrimitives.WriteUInt32BigEndian(ip, 0x6000_0000);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], MessageLength);
        ip[6] = Ipv6Packet.NextHeaderIcmpv6;
        ip[7] = HopLimit;
        source.WriteTo(ip[8..]);
        destination.WriteTo(ip[24..]);
        return ip[Ipv6Packet.HeaderLength..];
    }

    private static int WriteMessageTail(Span<byte> icmp, byte optionType, ReadOnlySpan<byte> mac, Ipv6Address source,
        Ipv6Address destination, Ipv6Address target)
    {
        icmp[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[Icmpv6Message.ChecksumOffset..], 0);
        target.WriteTo(icmp[8..]);
        icmp[24] = optionType;
        icmp[25] = 1;
        mac[..6].CopyTo(icmp[26..]);
        ushort sum = Checksum6.Transport(source, destination, Ipv6Packet.NextHeaderIcmpv6, icmp[..MessageLength]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[Icmpv6Message.ChecksumOffset..], sum);
        return FrameLength;
    }
}
