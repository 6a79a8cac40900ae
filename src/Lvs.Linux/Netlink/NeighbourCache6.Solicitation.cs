using System.Buffers.Binary;

namespace Lvs.Linux.Netlink;

// Neighbour Solicitation (RFC 4861 section 4.3), the IPv6 counterpart of the ARP request,
// sent to the target's solicited-node multicast group (RFC 4291 section 2.7.1):
//
//  Ethernet: 33:33:ff:t13:t14:t15 <- source MAC, EtherType 0x86DD                14 bytes
//  IPv6:     version 6, payload 32, next header 58, hop limit 255,
//            source, ff02::1:ff{t13}:{t14}{t15}                                   40 bytes
//  ICMPv6:
//  0               1               2               3
//  +---------------+---------------+---------------+---------------+
//  |   type 135    |    code 0     |           checksum            |
//  +---------------+---------------+---------------+---------------+
//  |                           reserved                            |
//  +---------------+---------------+---------------+---------------+
//  |                     target address (16 bytes)                 |
//  +---------------+---------------+---------------+---------------+
//  | opt type 1    | opt length 1  |  source link-layer address... |
//  +---------------+---------------+---------------+---------------+  32 bytes
public sealed partial class NeighbourCache
{
    /// <summary>Length of the frame <see cref="BuildNeighbourSolicitation"/> writes.</summary>
    public const int NeighbourSolicitationLength = 14 + 40 + 32;

    private const int IcmpV6Length = 32;
    private const byte IcmpV6NextHeader = 58;

    /// <summary>
    /// Writes an Ethernet + IPv6 + ICMPv6 neighbour solicitation for <paramref name="targetIp"/>,
    /// from <paramref name="srcIp"/> (an address of the sending interface, not ::, since the
    /// message carries the source link-layer option) to the target's solicited-node group,
    /// 86 bytes, checksum included, into <paramref name="frame"/>.
    /// </summary>
    /// <returns>The number of bytes written (86).</returns>
    public static int BuildNeighbourSolicitation(Span<byte> frame, MacAddress srcMac, in Ip6 srcIp, in Ip6 targetIp)
    {
        if (frame.Length < NeighbourSolicitationLength)
        {
            throw new ArgumentException($"a neighbour solicitation needs {NeighbourSolicitationLength} bytes", nameof(frame));
        }

        if (srcIp.IsUnspecified)
        {
            throw new ArgumentException("a solicitation with a link-layer option needs a source address", nameof(srcIp));
        }

        var group = SolicitedNodeGroup(targetIp);

        // Ethernet: IPv6 multicast maps to 33:33 and the group's low 32 bits (RFC 2464 section 7).
        BinaryPrimitives.WriteUInt16BigEndian(frame, 0x3333);
        BinaryPrimitives.WriteUInt32BigEndian(frame[2..], (uint)group.Low);
        srcMac.WriteTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x86DD);

        var ip = frame[14..];
        BinaryPrimitives.WriteUInt32BigEndian(ip, 0x6000_0000);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], IcmpV6Length);
        ip[6] = IcmpV6NextHeader;
        ip[7] = 255; // receivers drop ND messages whose hop limit is not 255 (RFC 4861 section 7.1.1)
        srcIp.WriteTo(ip[8..]);
        group.WriteTo(ip[24..]);

        var icmp = ip.Slice(40, IcmpV6Length);
        icmp[0] = 135;
        icmp[1] = 0;
        icmp[2..8].Clear();
        targetIp.WriteTo(icmp[8..]);
        icmp[24] = 1; // source link-layer address option, length in units of 8 bytes
        icmp[25] = 1;
        srcMac.WriteTo(icmp[26..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], IcmpV6Checksum(srcIp, group, icmp));
        return NeighbourSolicitationLength;
    }

    /// <summary>The solicited-node multicast group of <paramref name="target"/>: ff02::1:ff00:0/104 plus its low 24 bits.</summary>
    public static Ip6 SolicitedNodeGroup(in Ip6 target) =>
        new(0xFF02_0000_0000_0000UL, 0x0000_0001_FF00_0000UL | (target.Low & 0x00FF_FFFFUL));

    // RFC 4443 section 2.3: one's complement sum over the pseudo-header (source, destination,
    // upper-layer length, next header) and the message with its checksum field zero.
    private static ushort IcmpV6Checksum(in Ip6 source, in Ip6 destination, ReadOnlySpan<byte> message)
    {
        ulong sum = 0;
        sum += Fold(source.High) + Fold(source.Low) + Fold(destination.High) + Fold(destination.Low);
        sum += (uint)message.Length + IcmpV6NextHeader;
        for (var i = 0; i + 1 < message.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(message[i..]);
        }

        if ((message.Length & 1) != 0)
        {
            sum += (uint)message[^1] << 8;
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    private static ulong Fold(ulong value) => (value >> 48) + ((value >> 32) & 0xFFFF) + ((value >> 16) & 0xFFFF) + (value & 0xFFFF);
}
