using System.Buffers.Binary;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;
using static Lvs.Core.Tests.TestSupport.Ipv6PacketBuilder;

namespace Lvs.Core.Tests;

/// <summary>
/// TUN with an IPv6 side: the verdicts for ip6ip6 and the two mixed families, and the outer
/// headers <see cref="TunnelEncoder6"/> writes for them.
/// </summary>
public class DirectorIpv6TunnelTests
{
    private const string Client = DirectorIpv6Tests.Client;
    private const string Vip = DirectorIpv6Tests.Vip;
    private const string Director6 = "2001:db8:b::1";
    private const byte Syn = TcpSegment.Syn;

    private static (Director Director, ServiceKey Key) Setup(string vip, InetAddress server)
    {
        var services = new ServiceTable(workers: 1);
        var key = new ServiceKey(IpProtocol.Tcp, InetAddress.Parse(vip), 80);
        Assert.Equal(TableResult.Ok, services.AddService(key, "rr"));
        Assert.Equal(TableResult.Ok, services.AddServer(key, server, 80, ForwardMethod.Tunnel, 1, new TunnelSpec(TunnelType.IpIp, 0, TunnelChecksum.NoChecksum)));
        var director = new Director(services);
        director.Tick(0);
        return (director, key);
    }

    [Fact]
    public void Process_Ip6Ip6_TunnelVerdictAndOuterIpv6Header()
    {
        InetAddress server = Ipv6Address.Parse("2001:db8:b::31");
        (Director director, _) = Setup(Vip, server);
        byte[] frame = DirectorIpv6Tests.Frame(Tcp(Client, 40000, Vip, 80, Syn));

        Verdict v = director.Process(frame, default, 0);

        Assert.Equal(VerdictKind.Tunnel, v.Kind);
        Assert.Equal(server, v.NextHop);
        byte[] inner = frame[14..];
        byte[] outer = new byte[inner.Length + 40];
        ushort id = 0;
        int n = TunnelEncoder6.Write(outer, inner, Ipv6Address.Parse(Director6), server, ref id);

        Assert.Equal(inner.Length + 40, n);
        Assert.Equal(6, outer[0] >> 4);
        Assert.Equal(inner.Length, BinaryPrimitives.ReadUInt16BigEndian(outer.AsSpan(4)));
        Assert.Equal((41, 63), (outer[6], outer[7]));
        Assert.Equal((Director6, "2001:db8:b::31"),
            (Ipv6Address.ReadFrom(outer.AsSpan(8)).ToString(), Ipv6Address.ReadFrom(outer.AsSpan(24)).ToString()));
        Assert.Equal(inner, outer[40..]);
    }

    [Fact]
    public void Process_Ipv6ServiceIpv4Server_Ipv6InsideIpv4Protocol41()
    {
        InetAddress server = PacketBuilder.Ip("203.0.113.5");
        (Director director, _) = Setup(Vip, server);
        byte[] frame = DirectorIpv6Tests.Frame(Tcp(Client, 40000, Vip, 80, Syn));

        Verdict v = director.Process(frame, default, 0);

        Assert.Equal(VerdictKind.Tunnel, v.Kind);
        Assert.True(v.NextHop.IsV4);
        byte[] inner = frame[14..];
        byte[] outer = new byte[inner.Length + 20];
        ushort id = 7;
        int n = TunnelEncoder6.Write(outer, inner, PacketBuilder.Ip("203.0.113.1"), server, ref id);

        Assert.Equal(inner.Length + 20, n);
        Assert.Equal((0x45, 41, 63), (outer[0], outer[9], outer[8]));
        Assert.Equal(0x4000, BinaryPrimitives.ReadUInt16BigEndian(outer.AsSpan(6))); // DF
        Assert.True(PacketBuilder.Ipv4HeaderChecksumValid(outer));
        Assert.Equal(8, id);
        Assert.Equal(inner, outer[20..]);
    }

    [Fact]
    public void Process_Ipv4ServiceIpv6Server_Ipv4InsideIpv6NextHeader4()
    {
        InetAddress server = Ipv6Address.Parse("2001:db8:b::31");
        (Director director, _) = Setup("192.0.2.10", server);
        byte[] frame = PacketBuilder.Tcp(PacketBuilder.Ip("198.51.100.2"), 40000, PacketBuilder.Ip("192.0.2.10"), 80, Syn);

        Verdict v = director.Process(frame, default, 0);

        Assert.Equal(VerdictKind.Tunnel, v.Kind);
        Assert.Equal(server, v.NextHop);
        byte[] inner = frame[14..];
        byte[] outer = new byte[inner.Length + 40];
        ushort id = 0;
        TunnelEncoder6.Write(outer, inner, Ipv6Address.Parse(Director6), server, ref id);

        Assert.Equal((4, 63), (outer[6], outer[7]));
        Assert.Equal(inner, outer[40..]);
    }

    [Fact]
    public void Write_OutputTooSmall_ReturnsZero()
    {
        byte[] inner = Tcp(Client, 40000, Vip, 80, Syn);
        ushort id = 0;

        Assert.Equal(0, TunnelEncoder6.Write(new byte[inner.Length + 39], inner, Ipv6Address.Parse(Director6), Ipv6Address.Parse("2001:db8:b::31"), ref id));
    }

    [Fact]
    public void CompleteChecksum_PartialInnerIpv6_BecomesTheFullChecksum()
    {
        byte[] partial = Tcp(Client, 40000, Vip, 80, Syn, payload: [1, 2, 3], mode: ChecksumMode.Partial);
        byte[] full = Tcp(Client, 40000, Vip, 80, Syn, payload: [1, 2, 3]);

        Assert.True(TunnelEncoder6.CompleteChecksum(partial));

        Assert.Equal(full, partial);
    }

    [Theory]
    [InlineData(1500, false, 1480)]
    [InlineData(1500, true, 1460)]
    [InlineData(1300, true, 1280)] // never below the IPv6 minimum the client may be told
    public void InnerMtu_ByOuterFamily(int mtu, bool outerV6, int expected)
    {
        InetAddress server = outerV6 ? Ipv6Address.Parse("2001:db8:b::31") : PacketBuilder.Ip("203.0.113.5");

        Assert.Equal(expected, TunnelEncoder6.InnerMtu(mtu, server, innerIsV6: true));
    }
}
