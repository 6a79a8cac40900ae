using System.Buffers.Binary;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests.Forwarding;

/// <summary>Inner packets and a call wrapper shared by the tunnel encoder tests.</summary>
internal static class TunnelTestData
{
    public const int Mtu = 1500;
    public static readonly uint Client = GoldenPackets.ClientAddress;
    public static readonly uint Vip = GoldenPackets.TunVipAddress;
    public static readonly uint DirectorIp = GoldenPackets.DirectorAddress;
    public static readonly uint Server = GoldenPackets.IpipServerAddress;

    public static TunnelSpec Spec(TunnelType type, TunnelChecksum checksum = TunnelChecksum.NoChecksum) =>
        new(type, type == TunnelType.Gue ? (ushort)6080 : (ushort)0, checksum);

    /// <summary>A client TCP packet (IP header first) of <paramref name="ipLength"/> bytes with a recognisable payload.</summary>
    public static byte[] TcpInner(int ipLength = 60, bool df = true, ChecksumMode mode = ChecksumMode.Full, byte flags = TcpSegment.Psh | TcpSegment.Ack)
    {
        byte[] payload = new byte[ipLength - 40];
        for (int i = 0; i < payload.Length; i++)
        {
            payload[i] = (byte)(i * 7 + 3);
        }

        byte[] frame = PacketBuilder.Tcp(Client, 40000, Vip, 80, flags, seq: 0x01020304, ack: 0x0a0b0c0e, ttl: 63, payload: payload, mode: mode);
        if (!df)
        {
            frame[PacketBuilder.EthernetLength + 6] = 0;
            PacketBuilder.FillIpChecksum(frame);
        }

        return frame[PacketBuilder.EthernetLength..];
    }

    public static byte[] UdpInner(int payloadLength, ChecksumMode mode = ChecksumMode.Full) =>
        PacketBuilder.Udp(Client, 5353, Vip, 53, new byte[payloadLength], ttl: 63, mode: mode)[PacketBuilder.EthernetLength..];

    public static TunnelResult Send(ref CollectingSink sink, byte[] inner, TunnelSpec spec, bool partial = false, int gsoSize = 0,
        int mtu = Mtu, ushort ipId = 0x4242)
    {
        byte[] scratch = new byte[65536 + 128];
        return TunnelEncoder.Send(ref sink, inner, partial, gsoSize, spec, DirectorIp, Server, mtu, ref ipId, scratch);
    }

    /// <summary>The 16-bit big-endian word at <paramref name="offset"/>.</summary>
    public static ushort Word(byte[] packet, int offset) => BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(offset));

    /// <summary>True when the UDP checksum of the outer datagram (pseudo-header from the outer IP header) verifies.</summary>
    public static bool OuterUdpChecksumValid(ReadOnlySpan<byte> outerIp, ReadOnlySpan<byte> udp)
    {
        byte[] pseudo = new byte[12];
        outerIp.Slice(12, 8).CopyTo(pseudo);
        pseudo[9] = 17;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)udp.Length);
        return PacketBuilder.FoldedSum([.. pseudo, .. udp]) == 0xFFFF;
    }
}
