using System.Buffers.Binary;
using System.Net;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>Hand-built Ethernet/IPv4/UDP and TCP frames with checksums, for the send tests.</summary>
internal static class TestFrames
{
    public const int EthLength = 14;
    public const int Ipv4Length = 20;

    public enum Checksum
    {
        /// <summary>The full, correct L4 checksum.</summary>
        Full,

        /// <summary>Only the pseudo-header sum, not inverted: what a NEEDS_CSUM frame carries.</summary>
        Partial,

        /// <summary>A wrong checksum.</summary>
        Wrong,
    }

    public static byte[] Udp(byte[] srcMac, byte[] dstMac, IPAddress src, IPAddress dst, ushort srcPort, ushort dstPort, ReadOnlySpan<byte> payload, Checksum mode)
    {
        int l4Length = 8 + payload.Length;
        var frame = new byte[EthLength + Ipv4Length + l4Length];
        WriteHeaders(frame, srcMac, dstMac, src, dst, protocol: 17, l4Length);
        var udp = frame.AsSpan(EthLength + Ipv4Length);
        BinaryPrimitives.WriteUInt16BigEndian(udp[0..], srcPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[2..], dstPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp[4..], (ushort)l4Length);
        payload.CopyTo(udp[8..]);
        SetL4Checksum(frame, checksumOffset: 6, mode);
        return frame;
    }

    /// <summary>A TCP ACK segment carrying <paramref name="payloadLength"/> bytes of a counting pattern.</summary>
    public static byte[] Tcp(byte[] srcMac, byte[] dstMac, IPAddress src, IPAddress dst, ushort srcPort, ushort dstPort, uint seq, int payloadLength, Checksum mode)
    {
        int l4Length = 20 + payloadLength;
        var frame = new byte[EthLength + Ipv4Length + l4Length];
        WriteHeaders(frame, srcMac, dstMac, src, dst, protocol: 6, l4Length);
        var tcp = frame.AsSpan(EthLength + Ipv4Length);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[0..], srcPort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], dstPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seq);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], 1);
        tcp[12] = 5 << 4;
        tcp[13] = 0x10; // ACK
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
        for (int i = 0; i < payloadLength; i++)
        {
            tcp[20 + i] = (byte)i;
        }

        SetL4Checksum(frame, checksumOffset: 16, mode);
        return frame;
    }

    private static void WriteHeaders(Span<byte> frame, byte[] srcMac, byte[] dstMac, IPAddress src, IPAddress dst, byte protocol, int l4Length)
    {
        dstMac.CopyTo(frame);
        srcMac.CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], 0x0800);
        var ip = frame.Slice(EthLength, Ipv4Length);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(Ipv4Length + l4Length));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], 0x1234);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // DF
        ip[8] = 64;
        ip[9] = protocol;
        src.TryWriteBytes(ip[12..16], out _);
        dst.TryWriteBytes(ip[16..20], out _);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], (ushort)~Fold(Sum(ip, 0)));
    }

    private static void SetL4Checksum(Span<byte> frame, int checksumOffset, Checksum mode)
    {
        var ip = frame.Slice(EthLength, Ipv4Length);
        var l4 = frame[(EthLength + Ipv4Length)..];
        uint pseudo = Sum(ip[12..20], 0) + ip[9] + (uint)l4.Length;
        ushort pseudoFolded = Fold(pseudo);
        ushort value = mode switch
        {
            Checksum.Partial => pseudoFolded,
            Checksum.Full => Final(Sum(l4, pseudo)),
            _ => (ushort)(Final(Sum(l4, pseudo)) ^ 0x0101),
        };
        BinaryPrimitives.WriteUInt16BigEndian(l4[checksumOffset..], value);
    }

    private static ushort Final(uint sum)
    {
        ushort folded = (ushort)~Fold(sum);
        return folded == 0 ? (ushort)0xffff : folded; // UDP sends 0 as 0xffff; harmless for TCP tests here
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
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }

        return sum;
    }
}
