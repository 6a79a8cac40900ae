using System.Buffers.Binary;
using Lvs.Core.Packets;

namespace Lvs.Core.Forwarding;

/// <summary>ICMP errors the director originates (RFC 792, RFC 1191).</summary>
public static class IcmpBuilder
{
    /// <summary>RFC 1812 §4.3.2.3: an ICMP error should not exceed 576 bytes.</summary>
    public const int MaxErrorLength = 576;

    /// <summary>
    /// Writes a complete IPv4 "destination unreachable, fragmentation needed" (type 3, code 4)
    /// carrying the next-hop MTU (RFC 1191) about <paramref name="offending"/>, addressed to its
    /// source, from <paramref name="source"/>. Returns the IP length written.
    /// </summary>
    public static int FragmentationNeeded(Span<byte> output, ReadOnlySpan<byte> offending, ushort nextHopMtu, uint source)
    {
        const int ipLength = Ipv4Packet.MinHeaderLength;
        const int headerLength = ipLength + IcmpMessage.HeaderLength;
        int quote = Math.Min(offending.Length, MaxErrorLength - headerLength);
        int total = headerLength + quote;
        uint destination = BinaryPrimitives.ReadUInt32BigEndian(offending[12..]);

        Span<byte> ip = output[..total];
        ip[0] = 0x45;
        ip[1] = 0xC0; // precedence "internetwork control", as the kernel's icmp_send
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)total);
        BinaryPrimitives.WriteUInt32BigEndian(ip[4..], 0); // id 0, no DF
        ip[8] = 64;
        ip[9] = Ipv4Packet.ProtocolIcmp;
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], source);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], destination);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum.Compute(ip[..ipLength]));

        Span<byte> icmp = ip[ipLength..];
        icmp[0] = IcmpMessage.TypeDestinationUnreachable;
        icmp[1] = IcmpMessage.CodeFragmentationNeeded;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[4..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[6..], nextHopMtu);
        offending[..quote].CopyTo(icmp[IcmpMessage.HeaderLength..]);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], Checksum.Compute(icmp));
        return total;
    }
}
