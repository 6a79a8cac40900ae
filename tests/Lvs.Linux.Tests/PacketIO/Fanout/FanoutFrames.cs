using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Lvs.Linux.PacketIO.Fanout;

namespace Lvs.Linux.Tests.PacketIO.Fanout;

/// <summary>Minimal Ethernet + IPv4/IPv6 + L4 frames (no checksums: the fanout program reads none).</summary>
internal static class FanoutFrames
{
    public static byte[] Build(IPAddress src, ushort srcPort, IPAddress dst, ushort dstPort, byte protocol = 6, int ipv4Options = 0, ushort fragment = 0)
    {
        bool v4 = src.AddressFamily == AddressFamily.InterNetwork;
        int ipLength = v4 ? 20 + ipv4Options : 40;
        var frame = new byte[14 + ipLength + 20];
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), v4 ? (ushort)0x0800 : (ushort)0x86DD);
        Span<byte> ip = frame.AsSpan(14);
        if (v4)
        {
            ip[0] = (byte)(0x40 | (ipLength / 4));
            BinaryPrimitives.WriteUInt16BigEndian(ip[6..], fragment);
            ip[8] = 64;
            ip[9] = protocol;
            src.GetAddressBytes().CopyTo(ip[12..]);
            dst.GetAddressBytes().CopyTo(ip[16..]);
        }
        else
        {
            ip[0] = 0x60;
            ip[6] = protocol;
            ip[7] = 64;
            src.GetAddressBytes().CopyTo(ip[8..]);
            dst.GetAddressBytes().CopyTo(ip[24..]);
        }

        BinaryPrimitives.WriteUInt16BigEndian(ip[ipLength..], srcPort);
        BinaryPrimitives.WriteUInt16BigEndian(ip[(ipLength + 2)..], dstPort);
        return frame;
    }

    /// <summary>The word the fanout hashes for a client under the default key: an IPv4 address in host order, or an IPv6 address's four words XOR-folded.</summary>
    public static uint Word(IPAddress address) => Word(address, FanoutKey.Connection);

    /// <summary>The word the fanout hashes for a client under <paramref name="key"/>, computed here by hand.</summary>
    public static uint Word(IPAddress address, FanoutKey key)
    {
        byte[] b = address.GetAddressBytes();
        if (b.Length == 4)
        {
            return BinaryPrimitives.ReadUInt32BigEndian(b) & key.Mask4;
        }

        var masked = new byte[16];
        for (int i = 0; i < 16; i++)
        {
            int bits = Math.Clamp(key.Prefix6 - (8 * i), 0, 8);
            masked[i] = (byte)(b[i] & (0xFF00 >> bits));
        }

        return BinaryPrimitives.ReadUInt32BigEndian(masked) ^ BinaryPrimitives.ReadUInt32BigEndian(masked.AsSpan(4))
            ^ BinaryPrimitives.ReadUInt32BigEndian(masked.AsSpan(8)) ^ BinaryPrimitives.ReadUInt32BigEndian(masked.AsSpan(12));
    }
}
