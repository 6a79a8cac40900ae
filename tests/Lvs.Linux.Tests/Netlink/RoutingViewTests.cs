using System.Net;
using System.Net.Sockets;
using Lvs.Linux.Netlink;

namespace Lvs.Linux.Tests.Netlink;

public sealed class RoutingViewTests
{
    private const int Lo = 1;
    private const int Eth0 = 2;
    private const int Eth1 = 3;

    private static readonly LinkInfo[] Links =
    [
        new(Lo, "lo", default, 65536, 0x9),
        new(Eth0, "eth0", MacAddress.FromUInt64(0x020000000001), 1500, 0x1),
        new(Eth1, "eth1", MacAddress.FromUInt64(0x020000000002), 9000, 0x1),
    ];

    private static readonly AddressInfo[] Addresses =
    [
        new(Lo, IPAddress.Loopback, 8),
        new(Eth0, IPAddress.Parse("198.51.100.1"), 24),
        new(Eth1, IPAddress.Parse("10.0.0.1"), 24),
    ];

    private static uint Ip(string text) => RoutingView.ToUInt32(IPAddress.Parse(text));

    private static RouteInfo Route(string destination, int length, string? gateway, int oif, RouteType type = RouteType.Unicast, uint table = 254, uint priority = 0, string? prefsrc = null, int mtu = 0) =>
        new(AddressFamily.InterNetwork, IPAddress.Parse(destination), length, gateway is null ? null : IPAddress.Parse(gateway), oif, prefsrc is null ? null : IPAddress.Parse(prefsrc), priority, type, table, mtu);

    private static RoutingView Build(params RouteInfo[] routes) => RoutingView.Build(Links, Addresses, routes);

    [Fact]
    public void TryResolve_DefaultRouteOnly_ReturnsGateway()
    {
        var view = Build(Route("0.0.0.0", 0, "198.51.100.254", Eth0));

        Assert.True(view.TryResolve(Ip("8.8.8.8"), out var hop));
        Assert.Equal(new NextHop(Eth0, Ip("198.51.100.254"), Ip("198.51.100.1"), 1500, NextHopKind.Unicast), hop);
    }

    [Fact]
    public void TryResolve_OnLinkSubnet_NextHopIsDestination()
    {
        var view = Build(Route("0.0.0.0", 0, "198.51.100.254", Eth0), Route("10.0.0.0", 24, null, Eth1));

        Assert.True(view.TryResolve(Ip("10.0.0.7"), out var hop));
        Assert.Equal(new NextHop(Eth1, Ip("10.0.0.7"), Ip("10.0.0.1"), 9000, NextHopKind.Unicast), hop);
    }

    [Fact]
    public void TryResolve_LongerPrefix_Wins()
    {
        var view = Build(
            Route("0.0.0.0", 0, "198.51.100.254", Eth0),
            Route("203.0.113.0", 24, "10.0.0.254", Eth1),
            Route("203.0.113.7", 32, "10.0.0.253", Eth1, mtu: 1280));

        Assert.True(view.TryResolve(Ip("203.0.113.7"), out var host));
        Assert.Equal(Ip("10.0.0.253"), host.NextHopAddress);
        Assert.Equal(1280, host.Mtu);
        Assert.True(view.TryResolve(Ip("203.0.113.8"), out var subnet));
        Assert.Equal(Ip("10.0.0.254"), subnet.NextHopAddress);
        Assert.True(view.TryResolve(Ip("203.0.114.8"), out var fallback));
        Assert.Equal(Ip("198.51.100.254"), fallback.NextHopAddress);
    }

    [Fact]
    public void TryResolve_SamePrefixTwoMetrics_LowestMetricWins()
    {
        var view = Build(
            Route("0.0.0.0", 0, "10.0.0.254", Eth1, priority: 200),
            Route("0.0.0.0", 0, "198.51.100.254", Eth0, priority: 100));

        Assert.True(view.TryResolve(Ip("1.2.3.4"), out var hop));
        Assert.Equal(Eth0, hop.IfIndex);
    }

    [Fact]
    public void TryResolve_LocalAddress_SaysLocal()
    {
        var view = Build(
            Route("0.0.0.0", 0, "198.51.100.254", Eth0),
            Route("198.51.100.1", 32, null, Eth0, RouteType.Local, table: 255),
            Route("198.51.100.255", 32, null, Eth0, RouteType.Broadcast, table: 255),
            Route("127.0.0.0", 8, null, Lo, RouteType.Local, table: 255));

        Assert.False(view.TryResolve(Ip("198.51.100.1"), out var local));
        Assert.Equal(NextHopKind.Local, local.Kind);
        Assert.True(view.IsLocal(Ip("127.1.2.3")));
        Assert.False(view.TryResolve(Ip("198.51.100.255"), out var broadcast));
        Assert.Equal(NextHopKind.Broadcast, broadcast.Kind);
        Assert.True(view.TryResolve(Ip("198.51.100.2"), out var other));
        Assert.Equal(NextHopKind.Unicast, other.Kind);
    }

    [Fact]
    public void TryResolve_NoRoute_ReturnsNone()
    {
        var view = Build(Route("10.0.0.0", 24, null, Eth1));

        Assert.False(view.TryResolve(Ip("192.0.2.1"), out var hop));
        Assert.Equal(NextHopKind.None, hop.Kind);
        Assert.False(RoutingView.Empty.TryResolve(Ip("10.0.0.1"), out _));
    }

    [Fact]
    public void TryResolve_Blackhole_ReturnsFalseWithKind()
    {
        var view = Build(Route("0.0.0.0", 0, "198.51.100.254", Eth0), Route("192.0.2.0", 24, null, 0, RouteType.Blackhole));

        Assert.False(view.TryResolve(Ip("192.0.2.9"), out var hop));
        Assert.Equal(NextHopKind.Blackhole, hop.Kind);
    }

    [Fact]
    public void Build_RouteOverDownLink_IsLeftOut()
    {
        var links = new[] { Links[0], Links[1], Links[2] with { Flags = 0 } };
        var view = RoutingView.Build(links, Addresses, [Route("10.0.0.0", 24, null, Eth1)]);

        Assert.False(view.TryResolve(Ip("10.0.0.5"), out _));
    }

    [Fact]
    public void Build_PrefSrcAndOtherTablesAndIPv6_Honoured()
    {
        var v6 = new RouteInfo(AddressFamily.InterNetworkV6, IPAddress.IPv6Any, 0, IPAddress.Parse("fe80::1"), Eth0, null, 0, RouteType.Unicast, 254, 0);
        var view = Build(
            Route("0.0.0.0", 0, "198.51.100.254", Eth0, prefsrc: "192.0.2.10"),
            Route("0.0.0.0", 0, "10.0.0.99", Eth1, table: 100),
            v6);

        Assert.True(view.TryResolve(Ip("8.8.4.4"), out var hop));
        Assert.Equal(Ip("192.0.2.10"), hop.PreferredSource);
        Assert.Equal(Ip("198.51.100.254"), hop.NextHopAddress);
        Assert.Equal(1, view.Count);
    }

    [Fact]
    public void TryResolve_ManyPrefixes_MatchesLinearScan()
    {
        var random = new Random(7);
        var routes = new List<RouteInfo>();
        for (var i = 0; i < 500; i++)
        {
            var length = random.Next(0, 33);
            var prefix = (uint)random.NextInt64(0, 1L << 32) & Mask(length);
            routes.Add(Route(RoutingView.ToIPAddress(prefix).ToString(), length, RoutingView.ToIPAddress((uint)i + 1).ToString(), Eth0, priority: (uint)i));
        }

        var view = Build([.. routes]);
        for (var n = 0; n < 20_000; n++)
        {
            var destination = n % 2 == 0
                ? (uint)random.NextInt64(0, 1L << 32)
                : RoutingView.ToUInt32(routes[random.Next(routes.Count)].Destination) | (uint)random.Next(0, 256);
            var expected = routes
                .Where(r => (destination & Mask(r.DestinationLength)) == RoutingView.ToUInt32(r.Destination))
                .OrderByDescending(r => r.DestinationLength).ThenBy(r => r.Priority)
                .FirstOrDefault();

            var found = view.TryResolve(destination, out var hop);

            Assert.Equal(expected is not null, found);
            if (expected is not null)
            {
                Assert.Equal(RoutingView.ToUInt32(expected.Gateway!), hop.NextHopAddress);
            }
        }
    }

    [Fact]
    public void TryResolve_SteadyState_AllocatesNothing()
    {
        var view = Build(Route("0.0.0.0", 0, "198.51.100.254", Eth0), Route("10.0.0.0", 24, null, Eth1));
        var destination = Ip("10.0.0.7");
        view.TryResolve(destination, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var hits = 0;
        for (var i = 0; i < 10_000; i++)
        {
            hits += view.TryResolve(destination + (uint)(i & 0xFF), out _) ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000, hits);
    }

    private static uint Mask(int length) => length == 0 ? 0 : uint.MaxValue << (32 - length);
}
