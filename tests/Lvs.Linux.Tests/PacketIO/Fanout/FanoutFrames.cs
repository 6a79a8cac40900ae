using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

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

    /// <summary>An IPv4 address in host order, or an IPv6 address's last 32 bits.</summary>
    public static uint Low32(IPAddress address)
    {
        byte[] b = address.GetAddressBytes();
        return BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(b.Length - 4));
    }
}
