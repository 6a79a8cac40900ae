using System.Buffers.Binary;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>
/// Stands in for the checksum offload that AF_XDP copy mode does not carry. On receive it tells a
/// partial TCP/UDP checksum (CHECKSUM_PARTIAL: the field holds only the folded pseudo-header sum,
/// what a local sender on veth leaves) from a complete one, so the frame can be described with the
/// same <see cref="VirtioNetHeader"/> NEEDS_CSUM an AF_PACKET ring would give; on transmit it
/// finishes such a checksum in software, as the kernel's skb_checksum_help would.
/// </summary>
/// <remarks>
/// The field equals the pseudo-header sum for a complete checksum only by chance (about 1 in
/// 65,536): such a frame is then verified, and a checksum that verifies is complete. So complete
/// checksums cost one comparison, and only partial ones a pass over the segment.
/// </remarks>
internal static class XskChecksum
{
    private const int EthHeader = 14;

    /// <summary>
    /// True when <paramref name="frame"/> is IPv4/IPv6 (one 802.1Q tag at most, no IPv6 extension
    /// headers, no fragment) TCP or UDP whose checksum is partial; gives csum_start (from the
    /// frame's start) and csum_offset (within the transport header) for a NEEDS_CSUM header.
    /// </summary>
    public static bool IsPartial(ReadOnlySpan<byte> frame, out ushort csumStart, out ushort csumOffset)
    {
        csumStart = 0;
        csumOffset = 0;
        if (frame.Length < EthHeader + 20)
        {
            return false;
        }

        int l3 = EthHeader;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        if (type == 0x8100)
        {
            type = BinaryPrimitives.ReadUInt16BigEndian(frame[16..]);
            l3 += 4;
        }

        uint pseudo;
        int l4;
        int l4Length;
        byte protocol;
        var ip = frame[l3..];
        if (type == 0x0800 && ip.Length >= 20 && ip[0] >> 4 == 4)
        {
            int ihl = (ip[0] & 0x0f) * 4;
            int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
            if (ihl < 20 || total < ihl || total > ip.Length || (BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x3fff) != 0)
            {
                return false;
            }

            protocol = ip[9];
            l4 = l3 + ihl;
            l4Length = total - ihl;
            pseudo = Sum(ip.Slice(12, 8), 0);
        }
        else if (type == 0x86dd && ip.Length >= 40 && ip[0] >> 4 == 6)
        {
            protocol = ip[6];
            l4 = l3 + 40;
            l4Length = BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
            if (40 + l4Length > ip.Length)
            {
                return false;
            }

            pseudo = Sum(ip.Slice(8, 32), 0);
        }
        else
        {
            return false;
        }

        int offset = protocol switch { 6 => 16, 17 => 6, _ => -1 };
        if (offset < 0 || l4Length < offset + 2)
        {
            return false;
        }

        pseudo += protocol + (uint)l4Length;
        var segment = frame.Slice(l4, l4Length);
        ushort field = BinaryPrimitives.ReadUInt16BigEndian(segment[offset..]);
        if (field != Fold(pseudo) || Fold(Sum(segment, pseudo)) == 0xffff)
        {
            return false;
        }

        csumStart = (ushort)l4;
        csumOffset = (ushort)offset;
        return true;
    }

    /// <summary>
    /// Finishes a partial checksum in place: the one's complement of the sum from
    /// <paramref name="csumStart"/> to the end, stored at csumStart + <paramref name="csumOffset"/>
    /// (UDP's 0 sent as 0xffff). False when the offsets do not fit the frame.
    /// </summary>
    public static bool Finish(Span<byte> frame, int csumStart, int csumOffset)
    {
        if (csumStart < EthHeader || csumStart + csumOffset + 2 > frame.Length)
        {
            return false;
        }

        ushort value = (ushort)~Fold(Sum(frame[csumStart..], 0));
        if (value == 0 && csumOffset == 6)
        {
            value = 0xffff;
        }

        BinaryPrimitives.WriteUInt16BigEndian(frame[(csumStart + csumOffset)..], value);
        return true;
    }

    private static ushort Fold(uint sum)
    {
        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return (ushort)sum;
    }

    private static uint Sum(ReadOnlySpan<byte> data, uint sum)
    {
        ulong acc = sum;
        int i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            acc += BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
        }

        for (; i + 1 < data.Length; i += 2)
        {
            acc += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            acc += (uint)(data[i] << 8);
        }

        while (acc > 0xffff)
        {
            acc = (acc & 0xffff) + (acc >> 16);
        }

        return (uint)acc;
    }
}
