using System.Buffers.Binary;

namespace Lvs.Core.Tests.TestSupport;

/// <summary>How <see cref="PacketBuilder"/> fills the transport checksum.</summary>
public enum ChecksumMode
{
    /// <summary>The complete RFC 1071 checksum over pseudo-header and segment.</summary>
    Full,

    /// <summary>CHECKSUM_PARTIAL: the folded, non-complemented pseudo-header sum only.</summary>
    Partial,

    /// <summary>Zero (UDP "no checksum").</summary>
    Zero,
}

/// <summary>
/// Builds Ethernet/IPv4/TCP|UDP frames with correct checksums, computed by a deliberately naive
/// reference implementation that shares no code with <c>Lvs.Core.Packets.Checksum</c>, so tests
/// check the core against something independent. Shared with the benchmarks (linked file).
/// </summary>
public static class PacketBuilder
{
    public const int EthernetLength = 14;
    public static readonly byte[] DirectorMac = [0x02, 0, 0, 0, 0, 0x01];
    public static readonly byte[] PeerMac = [0x02, 0, 0, 0, 0, 0x02];

    public static byte[] Tcp(uint src, ushort sport, uint dst, ushort dport, byte flags, uint seq = 0, uint ack = 0,
        byte ttl = 64, byte[]? payload = null, ChecksumMode mode = ChecksumMode.Full, int dataOffsetWords = 5)
    {
        payload ??= [];
        byte[] l4 = new byte[(dataOffsetWords * 4) + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(l4, sport);
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt32BigEndian(l4.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(l4.AsSpan(8), ack);
        l4[12] = (byte)(dataOffsetWords << 4);
        l4[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(14), 0xFAF0);
        payload.CopyTo(l4, dataOffsetWords * 4);
        return Frame(src, dst, 6, l4, ttl, checksumOffset: 16, mode);
    }

    public static byte[] Udp(uint src, ushort sport, uint dst, ushort dport, byte[] payload, byte ttl = 64,
        ChecksumMode mode = ChecksumMode.Full)
    {
        byte[] l4 = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(l4, sport);
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(4), (ushort)l4.Length);
        payload.CopyTo(l4, 8);
        return Frame(src, dst, 17, l4, ttl, checksumOffset: 6, mode);
    }

    /// <summary>Wraps <paramref name="l4"/> in IPv4 (ID 0x1234, DF) and Ethernet and fills both checksums.</summary>
    public static byte[] Frame(uint src, uint dst, byte protocol, byte[] l4, byte ttl, int checksumOffset, ChecksumMode mode)
    {
        byte[] frame = new byte[EthernetLength + 20 + l4.Length];
        DirectorMac.CopyTo(frame, 0);
        PeerMac.CopyTo(frame, 6);
        frame[12] = 0x08;
        Span<byte> ip = frame.AsSpan(EthernetLength);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + l4.Length));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0x1234);
        ip[6] = 0x40;
        ip[8] = ttl;
        ip[9] = protocol;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], src);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], dst);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~FoldedSum(ip[..20]));
        l4.CopyTo(ip[20..]);
        FillTransportChecksum(frame, checksumOffset, mode);
        return frame;
    }

    /// <summary>Recomputes the IPv4 header checksum of a frame from scratch.</summary>
    public static void FillIpChecksum(byte[] frame)
    {
        Span<byte> ip = frame.AsSpan(EthernetLength);
        int ihl = (ip[0] & 0x0F) * 4;
        ip[10] = 0;
        ip[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~FoldedSum(ip[..ihl]));
    }

    /// <summary>Recomputes the transport checksum of a frame (TCP at offset 16, UDP at 6) from scratch.</summary>
    public static void FillTransportChecksum(byte[] frame, int checksumOffset, ChecksumMode mode = ChecksumMode.Full)
    {
        Span<byte> ip = frame.AsSpan(EthernetLength);
        int ihl = (ip[0] & 0x0F) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        Span<byte> l4 = ip[ihl..total];
        l4[checksumOffset] = 0;
        l4[checksumOffset + 1] = 0;
        byte[] pseudo = new byte[12];
        ip.Slice(12, 8).CopyTo(pseudo);
        pseudo[9] = ip[9];
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)l4.Length);
        ushort value = mode switch
        {
            ChecksumMode.Partial => FoldedSum(pseudo),
            ChecksumMode.Zero => 0,
            _ => (ushort)~FoldedSum([.. pseudo, .. l4]),
        };
        if (mode == ChecksumMode.Full && ip[9] == 17 && value == 0)
        {
            value = 0xFFFF; // RFC 768: a computed zero is sent as all ones
        }

        BinaryPrimitives.WriteUInt16BigEndian(l4[checksumOffset..], value);
    }

    /// <summary>The ones' complement sum of 16-bit words, folded, not complemented (RFC 1071 §4.1, word by word).</summary>
    public static ushort FoldedSum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (int i = 0; i < data.Length; i += 2)
        {
            int word = data[i] << 8;
            if (i + 1 < data.Length)
            {
                word |= data[i + 1];
            }

            sum += (uint)word;
            while (sum > 0xFFFF)
            {
                sum = (sum & 0xFFFF) + (sum >> 16);
            }
        }

        return (ushort)sum;
    }

    /// <summary>True when the frame's IPv4 header checksum verifies.</summary>
    public static bool IpChecksumValid(byte[] frame) => Ipv4HeaderChecksumValid(frame.AsSpan(EthernetLength));

    /// <summary>True when the IPv4 header checksum of a packet (IP header first) verifies.</summary>
    public static bool Ipv4HeaderChecksumValid(ReadOnlySpan<byte> ip) => FoldedSum(ip[..((ip[0] & 0x0F) * 4)]) == 0xFFFF;

    /// <summary>True when the frame's full TCP/UDP checksum verifies (a UDP zero counts as valid).</summary>
    public static bool TransportChecksumValid(byte[] frame) => TransportChecksumValid((ReadOnlySpan<byte>)frame.AsSpan(EthernetLength));

    /// <summary>True when the full TCP/UDP checksum of a packet (IP header first) verifies (a UDP zero counts as valid).</summary>
    public static bool TransportChecksumValid(ReadOnlySpan<byte> ip)
    {
        int ihl = (ip[0] & 0x0F) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        ReadOnlySpan<byte> l4 = ip[ihl..total];
        if (ip[9] == 17 && l4[6] == 0 && l4[7] == 0)
        {
            return true;
        }

        byte[] pseudo = new byte[12];
        ip.Slice(12, 8).CopyTo(pseudo);
        pseudo[9] = ip[9];
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)l4.Length);
        return FoldedSum([.. pseudo, .. l4]) == 0xFFFF;
    }

    /// <summary>
    /// An ICMP error frame (IPv4 ID 0x1234, no DF, TOS 0) from <paramref name="src"/> to <paramref name="dst"/>
    /// quoting <paramref name="quote"/> (an IP packet, typically its header and 8 bytes), both checksums filled.
    /// <paramref name="rest"/> is the second ICMP word (for fragmentation needed: the next-hop MTU in its low half).
    /// </summary>
    public static byte[] IcmpError(uint src, uint dst, byte type, byte code, ReadOnlySpan<byte> quote, uint rest = 0, byte ttl = 64)
    {
        byte[] icmp = new byte[8 + quote.Length];
        icmp[0] = type;
        icmp[1] = code;
        BinaryPrimitives.WriteUInt32BigEndian(icmp.AsSpan(4), rest);
        quote.CopyTo(icmp.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(icmp.AsSpan(2), (ushort)~FoldedSum(icmp));
        byte[] frame = new byte[EthernetLength + 20 + icmp.Length];
        DirectorMac.CopyTo(frame, 0);
        PeerMac.CopyTo(frame, 6);
        frame[12] = 0x08;
        Span<byte> ip = frame.AsSpan(EthernetLength);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + icmp.Length));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0x1234);
        ip[8] = ttl;
        ip[9] = 1;
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], src);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], dst);
        icmp.CopyTo(ip[20..]);
        FillIpChecksum(frame);
        return frame;
    }

    /// <summary>The IP header and the first <paramref name="extra"/> bytes after it: what an ICMP error quotes.</summary>
    public static byte[] Quote(byte[] frame, int extra = 8)
    {
        ReadOnlySpan<byte> ip = frame.AsSpan(EthernetLength);
        return ip[..(((ip[0] & 0x0F) * 4) + extra)].ToArray();
    }

    /// <summary>Host-order IPv4 address from dotted text.</summary>
    public static uint Ip(string dotted)
    {
        string[] parts = dotted.Split('.');
        return (uint.Parse(parts[0]) << 24) | (uint.Parse(parts[1]) << 16) | (uint.Parse(parts[2]) << 8) | uint.Parse(parts[3]);
    }
}
