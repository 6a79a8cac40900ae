using System.Net;
using System.Net.Sockets;
using Lvs.Linux.Netlink;

namespace Lvs.Linux.Tests.Netlink;

/// <summary>IPv6 longest-prefix match of <see cref="RoutingView.TryResolve6"/> over hand-made kernel state.</summary>
public sealed class RoutingView6Tests
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

    // Clients on eth0, real servers on eth1, as DESIGN.md numbers them.
    private static readonly AddressInfo[] Addresses =
    [
        new(Lo, IPAddress.IPv6Loopback, 128),
        new(Eth0, IPAddress.Parse("fe80::1"), 64),
        new(Eth0, IPAddress.Parse("2001:db8:c::1"), 64),
        new(Eth1, IPAddress.Parse("fe80::2"), 64),
        new(Eth1, IPAddress.Parse("2001:db8:b::1"), 64),
        new(Eth1, IPAddress.Parse("fd00::1"), 64),
    ];

    private static Ip6 A(string text) => Ip6.Parse(text);

    private static RouteInfo Route(string destination, int length, string? gateway, int oif, RouteType type = RouteType.Unicast, uint table = 254, uint priority = 1024, string? prefsrc = null, int mtu = 0) =>
        new(AddressFamily.InterNetworkV6, IPAddress.Parse(destination), length, gateway is null ? null : IPAddress.Parse(gateway), oif, prefsrc is null ? null : IPAddress.Parse(prefsrc), priority, type, table, mtu);

    private static RouteInfo Local(string address, int oif) => Route(address, 128, null, oif, RouteType.Local, 255, 0);

    private static RoutingView Build(params RouteInfo[] routes) => RoutingView.Build(Links, Addresses, routes);

    // What the kernel itself installs for the addresses above.
    private static RouteInfo[] Connected =>
    [
        Route("fe80::", 64, null, Eth0, priority: 256),
        Route("fe80::", 64, null, Eth1, priority: 256),
        Route("2001:db8:c::", 64, null, Eth0, priority: 256),
        Route("2001:db8:b::", 64, null, Eth1, priority: 256),
        Route("fd00::", 64, null, Eth1, priority: 256),
        Local("::1", Lo),
        Local("2001:db8:c::1", Eth0),
        Local("2001:db8:b::1", Eth1),
        Local("fe80::1", Eth0),
        Route("ff00::", 8, null, Eth0, RouteType.Multicast, 255, 256),
    ];

    [Fact]
    public void TryResolve6_DefaultRouteOnly_ReturnsGatewayAndGlobalSource()
    {
        var view = Build([.. Connected, Route("::", 0, "2001:db8:c::fe", Eth0)]);

        Assert.True(view.TryResolve6(A("2001:db8:ffff::9"), out var hop));

        Assert.Equal(new NextHop6(Eth0, A("2001:db8:c::fe"), A("2001:db8:c::1"), 1500, NextHopKind.Unicast), hop);
    }

    [Fact]
    public void TryResolve6_OnLinkSlash64_NextHopIsDestination()
    {
        var view = Build([.. Connected, Route("::", 0, "2001:db8:c::fe", Eth0)]);

        Assert.True(view.TryResolve6(A("2001:db8:b::10"), out var hop));

        Assert.Equal(new NextHop6(Eth1, A("2001:db8:b::10"), A("2001:db8:b::1"), 9000, NextHopKind.Unicast), hop);
    }

    [Fact]
    public void TryResolve6_HostRouteInsideSubnet_Slash128Wins()
    {
        var view = Build([.. Connected, Route("2001:db8:b::77", 128, "2001:db8:c::fe", Eth0, mtu: 1280)]);

        Assert.True(view.TryResolve6(A("2001:db8:b::77"), out var host));
        Assert.Equal(new NextHop6(Eth0, A("2001:db8:c::fe"), A("2001:db8:c::1"), 1280, NextHopKind.Unicast), host);
        Assert.True(view.TryResolve6(A("2001:db8:b::78"), out var neighbour));
        Assert.Equal(A("2001:db8:b::78"), neighbour.NextHopAddress);
        Assert.Equal(Eth1, neighbour.IfIndex);
    }

    [Fact]
    public void TryResolve6_PrefixLongerThan64_MatchesOnlyItsRange()
    {
        var view = Build([.. Connected, Route("2001:db8:b::100", 120, "fe80::aa", Eth0)]);

        Assert.True(view.TryResolve6(A("2001:db8:b::1ff"), out var inside));
        Assert.Equal(A("fe80::aa"), inside.NextHopAddress);
        Assert.True(view.TryResolve6(A("2001:db8:b::200"), out var outside));
        Assert.Equal(A("2001:db8:b::200"), outside.NextHopAddress);
    }

    [Fact]
    public void TryResolve6_LinkLocalGateway_KeepsGatewayAndInterfaceWithGlobalSource()
    {
        var view = Build([.. Connected, Route("::", 0, "fe80::fe", Eth1)]);

        Assert.True(view.TryResolve6(A("2001:db8:a::80"), out var hop));

        // The source is a global address of eth1 (the longest match with the destination), never fe80::2.
        Assert.Equal(new NextHop6(Eth1, A("fe80::fe"), A("2001:db8:b::1"), 9000, NextHopKind.Unicast), hop);
    }

    [Fact]
    public void TryResolve6_LinkLocalDestination_UsesLinkLocalSourceOfThatInterface()
    {
        var view = Build([.. Connected]);

        Assert.True(view.TryResolve6(A("fe80::99"), out var hop));

        // Both links carry fe80::/64 at metric 256: the lowest index wins, deterministically.
        Assert.Equal(new NextHop6(Eth0, A("fe80::99"), A("fe80::1"), 1500, NextHopKind.Unicast), hop);
    }

    [Fact]
    public void TryResolve6_InterfaceWithoutGlobalAddress_TakesGlobalFromAnother()
    {
        var addresses = new[] { new AddressInfo(Eth0, IPAddress.Parse("fe80::1"), 64), new AddressInfo(Eth1, IPAddress.Parse("2001:db8:b::1"), 64) };
        var view = RoutingView.Build(Links, addresses, [Route("::", 0, "fe80::fe", Eth0)]);

        Assert.True(view.TryResolve6(A("2001:db8:c::5"), out var hop));

        Assert.Equal(A("2001:db8:b::1"), hop.PreferredSource);
    }

    [Fact]
    public void TryResolve6_NoGlobalAddressAnywhere_SourceIsUnspecified()
    {
        var view = RoutingView.Build(Links, [new AddressInfo(Eth0, IPAddress.Parse("fe80::1"), 64)], [Route("::", 0, "fe80::fe", Eth0)]);

        Assert.True(view.TryResolve6(A("2001:db8:c::5"), out var hop));

        Assert.True(hop.PreferredSource.IsUnspecified);
    }

    [Fact]
    public void TryResolve6_SourceOnSameInterface_LongestCommonPrefixWins()
    {
        var view = Build([.. Connected, Route("fd00:1::", 64, "fd00::fe", Eth1)]);

        Assert.True(view.TryResolve6(A("fd00:1::5"), out var hop));

        Assert.Equal(A("fd00::1"), hop.PreferredSource);
    }

    [Fact]
    public void TryResolve6_RoutePrefSrc_IsHonoured()
    {
        var view = Build([.. Connected, Route("::", 0, "2001:db8:c::fe", Eth0, prefsrc: "2001:db8:a::1")]);

        Assert.True(view.TryResolve6(A("2001:db8:ffff::1"), out var hop));

        Assert.Equal(A("2001:db8:a::1"), hop.PreferredSource);
    }

    [Fact]
    public void TryResolve6_OwnAddress_ReturnsFalseWithLocal()
    {
        var view = Build([.. Connected]);

        Assert.False(view.TryResolve6(A("2001:db8:b::1"), out var hop));
        Assert.Equal(NextHopKind.Local, hop.Kind);
        Assert.Equal(Eth1, hop.IfIndex);
        Assert.True(view.IsLocal6(A("2001:db8:c::1")));
        Assert.True(view.IsLocal6(Ip6.Loopback));
        Assert.False(view.IsLocal6(A("2001:db8:c::2")));
    }

    [Fact]
    public void TryResolve6_AnycastInLocalTable_IsLocal()
    {
        var view = Build([.. Connected, Route("2001:db8:b::", 128, null, Eth1, RouteType.Anycast, 255, 0)]);

        Assert.False(view.TryResolve6(A("2001:db8:b::"), out var hop));

        Assert.Equal(NextHopKind.Local, hop.Kind);
    }

    [Fact]
    public void TryResolve6_SamePrefixTwoMetrics_LowestMetricWins()
    {
        var view = Build(
        [
            .. Connected,
            Route("::", 0, "fe80::b", Eth1, priority: 1024),
            Route("::", 0, "fe80::c", Eth0, priority: 100),
        ]);

        Assert.True(view.TryResolve6(A("2001:db8:a::1"), out var hop));

        Assert.Equal((Eth0, A("fe80::c")), (hop.IfIndex, hop.NextHopAddress));
    }

    [Fact]
    public void Build_RouteOverDownLink_IsLeftOut()
    {
        var links = new[] { Links[0], Links[1], Links[2] with { Flags = 0 } };
        var view = RoutingView.Build(links, Addresses, [Route("2001:db8:b::", 64, null, Eth1), Route("::", 0, "fe80::fe", Eth0, priority: 2048)]);

        Assert.True(view.TryResolve6(A("2001:db8:b::5"), out var hop));

        Assert.Equal((Eth0, A("fe80::fe")), (hop.IfIndex, hop.NextHopAddress));
    }

    [Fact]
    public void TryResolve6_NoRouteOrReject_SaysWhy()
    {
        var view = Build([.. Connected, Route("2001:db8:dead::", 48, null, Lo, RouteType.Unreachable), Route("2001:db8:beef::", 48, null, Lo, RouteType.Blackhole)]);

        Assert.False(view.TryResolve6(A("2001:db8:ffff::1"), out var none));
        Assert.Equal(NextHopKind.None, none.Kind);
        Assert.False(view.TryResolve6(A("2001:db8:dead::1"), out var unreachable));
        Assert.Equal(NextHopKind.Unreachable, unreachable.Kind);
        Assert.False(view.TryResolve6(A("2001:db8:beef::1"), out var blackhole));
        Assert.Equal(NextHopKind.Blackhole, blackhole.Kind);
        Assert.False(view.TryResolve6(A("ff02::1"), out _));
        Assert.False(RoutingView.Empty.TryResolve6(A("2001:db8:b::1"), out _));
    }

    [Fact]
    public void Build_OtherTablesAndIPv4_LeaveIPv6AndIPv4ViewsApart()
    {
        var v4 = new RouteInfo(AddressFamily.InterNetwork, IPAddress.Any, 0, IPAddress.Parse("198.51.100.254"), Eth0, null, 0, RouteType.Unicast, 254, 0);
        var view = Build(Route("::", 0, "fe80::99", Eth0, table: 100), Route("2001:db8:b::", 64, null, Eth1), v4);

        Assert.False(view.TryResolve6(A("2001:db8:a::1"), out _));
        Assert.True(view.TryResolve6(A("2001:db8:b::1:2"), out _));
        Assert.Equal(1, view.Count6);
        Assert.Equal(1, view.Count);
        Assert.True(view.TryResolve(RoutingView.ToUInt32(IPAddress.Parse("8.8.8.8")), out _));
    }

    [Fact]
    public void TryResolve6_ManyPrefixes_MatchesLinearScan()
    {
        var random = new Random(11);
        var routes = new List<RouteInfo>();
        for (var i = 0; i < 400; i++)
        {
            // Mostly inside 2001:db8::/32 so prefixes nest and overlap, at every length.
            var length = random.Next(0, 129);
            var raw = new Ip6(0x2001_0db8_0000_0000UL | (ulong)random.NextInt64(0, 1L << 32) << (random.Next(2) * 16), (ulong)random.NextInt64());
            var prefix = raw.Mask(length);
            routes.Add(Route(prefix.ToString(), length, $"fe80::{i + 1:x}", Eth0, priority: (uint)i));
        }

        var view = Build([.. routes]);
        for (var n = 0; n < 10_000; n++)
        {
            var basis = Ip6.FromIPAddress(routes[random.Next(routes.Count)].Destination);
            var destination = n % 3 == 0
                ? new Ip6(0x2001_0db8_0000_0000UL | (ulong)random.NextInt64(0, 1L << 32), (ulong)random.NextInt64())
                : new Ip6(basis.High ^ (n % 3 == 1 ? 0 : (ulong)random.Next(0, 256)), basis.Low ^ (ulong)random.Next(0, 1 << 16));
            var expected = routes
                .Where(r => destination.Mask(r.DestinationLength) == Ip6.FromIPAddress(r.Destination))
                .OrderByDescending(r => r.DestinationLength).ThenBy(r => r.Priority)
                .FirstOrDefault();

            var found = view.TryResolve6(destination, out var hop);

            Assert.Equal(expected is not null, found);
            if (expected is not null)
            {
                Assert.Equal(Ip6.FromIPAddress(expected.Gateway!), hop.NextHopAddress);
            }
        }
    }

    [Fact]
    public void TryResolve6_SteadyState_AllocatesNothing()
    {
        var view = Build([.. Connected, Route("::", 0, "fe80::fe", Eth0)]);
        var onLink = A("2001:db8:b::7");
        var remote = A("2001:db8:ffff::7");
        view.TryResolve6(onLink, out _);
        view.TryResolve6(remote, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var hits = 0;
        for (var i = 0; i < 10_000; i++)
        {
            var destination = new Ip6((i & 1) == 0 ? onLink.High : remote.High, onLink.Low + (ulong)(i & 0xFF));
            hits += view.TryResolve6(destination, out _) ? 1 : 0;
            hits += view.IsLocal6(destination) ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000, hits);
    }
}
