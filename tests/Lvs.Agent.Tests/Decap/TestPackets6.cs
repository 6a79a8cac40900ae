using System.Buffers.Binary;
using Lvs.Core.Packets;

namespace Lvs.Agent.Tests.Decap;

/// <summary>
/// Hand-built IPv6 packets for the IPv6 tunnel paths, as ip_vs_tunnel_xmit(_v6) lays them out,
/// with DESIGN.md's addresses: clients 2001:db8:c::/64, VIPs 2001:db8:a::/64, real servers
/// 2001:db8:b::/64 (the director is 2001:db8:b::1 on the real servers' link).
/// </summary>
internal static class TestPackets6
{
    public static readonly Ipv6Address Client = Ipv6Address.Parse("2001:db8:c::5");
    public static readonly Ipv6Address Vip = Ipv6Address.Parse("2001:db8:a::10");
    public static readonly Ipv6Address OtherVip = Ipv6Address.Parse("2001:db8:a::99");
    public static readonly Ipv6Address Director = Ipv6Address.Parse("2001:db8:b::1");
    public static readonly Ipv6Address RealServer = Ipv6Address.Parse("2001:db8:b::2");

    /// <summary>A fixed IPv6 header (hop limit 64) followed by <paramref name="payload"/>.</summary>
    public static byte[] Ipv6(Ipv6Address source, Ipv6Address destination, byte nextHeader, ReadOnlySpan<byte> payload)
    {
        var packet = new byte[40 + payload.Length];
        packet[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)payload.Length);
        packet[6] = nextHeader;
        packet[7] = 64;
        source.WriteTo(packet.AsSpan(8));
        destination.WriteTo(packet.AsSpan(24));
        payload.CopyTo(packet.AsSpan(40));
        return packet;
    }

    /// <summary>A UDP datagram over IPv6 with its (mandatory) checksum.</summary>
    public static byte[] Udp6(Ipv6Address source, Ipv6Address destination, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp.AsSpan(8));
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(6), Checksum6.Udp(source, destination, udp));
        return udp;
    }

    /// <summary>The inner IPv6 packet: a UDP datagram from the client to [destination]:9999.</summary>
    public static byte[] Inner6(Ipv6Address destination, string text = "hello6") =>
        Ipv6(Client, destination, 17, Udp6(Client, destination, 40000, 9999, System.Text.Encoding.ASCII.GetBytes(text)));

    /// <summary>
    /// As <see cref="Inner6"/> with a destination options header (PadN, 8 bytes) between the fixed
    /// header and UDP, whose next header is <paramref name="optionsNext"/>.
    /// </summary>
    public static byte[] Inner6WithOptions(Ipv6Address destination, byte optionsNext = 17)
    {
        byte[] udp = Udp6(Client, destination, 40000, 9999, "opts"u8);
        byte[] options = [optionsNext, 0, 1, 4, 0, 0, 0, 0];
        return Ipv6(Client, destination, 60, [.. options, .. udp]);
    }

    /// <summary>IPv6 in IPv4 (protocol 41) from the director to an IPv4 real server.</summary>
    public static byte[] Ip6InIp4(byte[] inner) => TestPackets.Ipv4(TestPackets.Director, TestPackets.RealServer, 41, inner);

    /// <summary>IPv6 in IPv6 (next header 41), outer header included: what goes on the wire.</summary>
    public static byte[] Ip6InIp6OnWire(byte[] inner) => Ipv6(Director, RealServer, 41, inner);

    /// <summary>IPv4 in IPv6 (next header 4), outer header included: an IPv4 service's packet to an IPv6 real server.</summary>
    public static byte[] Ip4InIp6OnWire(byte[] inner) => Ipv6(Director, RealServer, 4, inner);
}
