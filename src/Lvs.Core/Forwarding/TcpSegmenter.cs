using System.Buffers.Binary;
using Lvs.Core.Packets;

namespace Lvs.Core.Forwarding;

/// <summary>
/// Software GSO for TCP: cuts a super-packet the kernel handed over unsegmented (IPv4 or IPv6
/// without extension headers) into segments carrying at most <c>gsoSize</c> payload bytes, each
/// with its own sequence number, flags and full checksums, as the kernel's tcp_gso_segment does.
/// Used where the director must wrap every segment itself (tunnels with an IPv6 side).
/// </summary>
public static class TcpSegmenter
{
    /// <summary>Header bytes (IP + TCP) of <paramref name="packet"/>, or -1 when it is not plain TCP.</summary>
    public static int HeaderLength(ReadOnlySpan<byte> packet, bool ipv6)
    {
        int ihl;
        if (ipv6)
        {
            if (packet.Length < Ipv6Packet.HeaderLength + TcpSegment.MinHeaderLength || packet[6] != Ipv4Packet.ProtocolTcp)
            {
                return -1;
            }

            ihl = Ipv6Packet.HeaderLength;
        }
        else
        {
            if (packet.Length < Ipv4Packet.MinHeaderLength + TcpSegment.MinHeaderLength || packet[9] != Ipv4Packet.ProtocolTcp)
            {
                return -1;
            }

            ihl = (packet[0] & 0x0F) * 4;
        }

        if (packet.Length < ihl + TcpSegment.MinHeaderLength)
        {
            return -1;
        }

        int thl = (packet[ihl + 12] >> 4) * 4;
        return thl < TcpSegment.MinHeaderLength || packet.Length < ihl + thl ? -1 : ihl + thl;
    }

    /// <summary>How many segments <paramref name="packet"/> becomes.</summary>
    public static int Count(ReadOnlySpan<byte> packet, int headerLength, int gsoSize) =>
        Math.Max(1, (packet.Length - headerLength + gsoSize - 1) / gsoSize);

    /// <summary>
    /// Writes segment <paramref name="index"/> into <paramref name="output"/> and returns its length
    /// (0 when <paramref name="output"/> is too small).
    /// </summary>
    public static int Write(ReadOnlySpan<byte> packet, bool ipv6, int headerLength, int gsoSize, int index, Span<byte> output)
    {
        int payloadLength = packet.Length - headerLength;
        int offset = index * gsoSize;
        int chunk = Math.Min(gsoSize, payloadLength - offset);
        if (chunk < 0 || output.Length < headerLength + chunk)
        {
            return 0;
        }

        bool first = index == 0, last = offset + chunk >= payloadLength;
        int length = headerLength + chunk;
        packet[..headerLength].CopyTo(output);
        packet.Slice(headerLength + offset, chunk).CopyTo(output[headerLength..]);
        int ihl = ipv6 ? Ipv6Packet.HeaderLength : (packet[0] & 0x0F) * 4;
        Span<byte> tcp = output[ihl..length];
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], BinaryPrimitives.ReadUInt32BigEndian(packet[(ihl + 4)..]) + (uint)offset);
        byte flags = packet[ihl + 13];
        if (!last)
        {
            flags &= unchecked((byte)~(TcpSegment.Fin | TcpSegment.Psh));
        }

        if (!first)
        {
            flags &= 0x7F; // CWR only on the first segment
        }

        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[TcpSegment.ChecksumOffset..], 0);
        if (ipv6)
        {
            BinaryPrimitives.WriteUInt16BigEndian(output[4..], (ushort)(length - Ipv6Packet.HeaderLength));
            BinaryPrimitives.WriteUInt16BigEndian(tcp[TcpSegment.ChecksumOffset..],
                Checksum6.Transport(Ipv6Address.ReadFrom(output[8..]), Ipv6Address.ReadFrom(output[24..]), Ipv4Packet.ProtocolTcp, tcp));
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(output[2..], (ushort)length);
            BinaryPrimitives.WriteUInt16BigEndian(output[4..], (ushort)(BinaryPrimitives.ReadUInt16BigEndian(packet[4..]) + index));
            BinaryPrimitives.WriteUInt16BigEndian(output[10..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(output[10..], Checksum.Compute(output[..ihl]));
            BinaryPrimitives.WriteUInt16BigEndian(tcp[TcpSegment.ChecksumOffset..],
                Checksum.Transport(BinaryPrimitives.ReadUInt32BigEndian(output[12..]), BinaryPrimitives.ReadUInt32BigEndian(output[16..]), Ipv4Packet.ProtocolTcp, tcp));
        }

        return length;
    }
}
