using System.Diagnostics;
using System.Net;
using Lvs.Linux.Netlink;

namespace Lvs.Linux.Tests.Netlink;

/// <summary>
/// rtnetlink against the real kernel, inside two namespaces joined by a veth pair:
/// lvs0 198.51.100.1/24 in "a", lvs1 198.51.100.2/24 in "b".
/// </summary>
public sealed class RtNetlinkSocketTests
{
    private static uint Ip(string text) => RoutingView.ToUInt32(IPAddress.Parse(text));

    private static (TestNamespace A, TestNamespace B) CreatePair()
    {
        var prefix = TestNamespace.NewPrefix();
        var a = TestNamespace.Create(prefix, "a");
        try
        {
            var b = TestNamespace.Create(prefix, "b");
            try
            {
                TestNamespace.LinkVeth(a, "lvs0", "198.51.100.1/24", b, "lvs1", "198.51.100.2/24");
                return (a, b);
            }
            catch
            {
                b.Dispose();
                throw;
            }
        }
        catch
        {
            a.Dispose();
            throw;
        }
    }

    [RootFact]
    public void Dumps_VethInNamespace_FindLinkAddressAndRoutes()
    {
        var (a, b) = CreatePair();
        using var _a = a;
        using var _b = b;
        a.Ip("route", "add", "203.0.113.0/24", "via", "198.51.100.2", "metric", "50");
        using var socket = NetNs.Run(a.Name, () => RtNetlinkSocket.Open());
        var captured = new List<byte[]>();
        socket.RawReceived = buffer => captured.Add(buffer.ToArray());

        var links = socket.DumpLinks();
        var addresses = socket.DumpAddresses();
        var routes = socket.DumpRoutes();

        var link = Assert.Single(links, l => l.Name == "lvs0");
        Assert.True(link.IsUp);
        Assert.Equal(1500, link.Mtu);
        Assert.False(link.Mac.IsZero);
        Assert.Contains(links, l => l.IsLoopback && l.Name == "lo");
        Assert.Contains(new AddressInfo(link.Index, IPAddress.Parse("198.51.100.1"), 24), addresses);
        Assert.Contains(routes, r => r.Table == 254 && r.DestinationLength == 24
            && r.Destination.Equals(IPAddress.Parse("198.51.100.0")) && r.OutputIfIndex == link.Index && r.Gateway is null
            && r.PreferredSource!.Equals(IPAddress.Parse("198.51.100.1")));
        Assert.Contains(routes, r => r.Table == 254 && r.Destination.Equals(IPAddress.Parse("203.0.113.0"))
            && r.Gateway!.Equals(IPAddress.Parse("198.51.100.2")) && r.Priority == 50);
        Assert.Contains(routes, r => r.Table == 255 && r.Type == RouteType.Local && r.Destination.Equals(IPAddress.Parse("198.51.100.1")));
        Assert.Equal(0, socket.MalformedMessages);

        var view = RoutingView.Build(links, addresses, routes);
        Assert.True(view.TryResolve(Ip("198.51.100.2"), out var onLink));
        Assert.Equal(new NextHop(link.Index, Ip("198.51.100.2"), Ip("198.51.100.1"), 1500, NextHopKind.Unicast), onLink);
        Assert.True(view.TryResolve(Ip("203.0.113.9"), out var viaGateway));
        Assert.Equal(Ip("198.51.100.2"), viaGateway.NextHopAddress);
        Assert.False(view.TryResolve(Ip("198.51.100.1"), out var local));
        Assert.Equal(NextHopKind.Local, local.Kind);
        Assert.False(view.TryResolve(Ip("192.0.2.1"), out _));

        // Real kernel output as fuzz seeds: mutations of it must never throw either.
        Assert.NotEmpty(captured);
        RtNetlinkDecoderTests.AssertSurvivesMutation([.. captured], 20_000, 42);
    }

    [RootFact]
    public void NeighbourAdd_ShowsInDumpAndAsEvent()
    {
        var (a, b) = CreatePair();
        using var _a = a;
        using var _b = b;
        using var socket = NetNs.Run(a.Name, () => RtNetlinkSocket.Open());
        var mirror = new NetlinkMirror();
        mirror.Load(socket);
        var index = mirror.FindLink("lvs0")!.Index;

        a.Ip("neigh", "add", "198.51.100.9", "lladdr", "02:00:00:00:00:09", "dev", "lvs0");

        var sink = new RecordingSink();
        var deadline = Stopwatch.StartNew();
        while (!sink.Neighbours.Any(n => n.Neighbour.Address.Equals(IPAddress.Parse("198.51.100.9"))) && deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            Thread.Sleep(20);
            socket.DrainEvents(sink);
        }

        var (neighbour, removed) = Assert.Single(sink.Neighbours, n => n.Neighbour.Address.Equals(IPAddress.Parse("198.51.100.9")));
        Assert.False(removed);
        Assert.Equal(index, neighbour.IfIndex);
        Assert.Equal("02:00:00:00:00:09", neighbour.Mac.ToString());
        Assert.True(neighbour.IsUsable);
        Assert.Equal(NeighbourState.Permanent, neighbour.State);

        var dumped = Assert.Single(socket.DumpNeighbours(), n => n.Address.Equals(IPAddress.Parse("198.51.100.9")));
        Assert.Equal(neighbour, dumped);
        mirror.Load(socket);
        Assert.True(mirror.Neighbours.TryGet(index, Ip("198.51.100.9"), out var mac));
        Assert.Equal("02:00:00:00:00:09", mac.ToString());
    }

    [RootFact]
    public void Mirror_RouteAndNeighbourEvents_UpdateViewAndCache()
    {
        var (a, b) = CreatePair();
        using var _a = a;
        using var _b = b;
        using var socket = NetNs.Run(a.Name, () => RtNetlinkSocket.Open());
        var mirror = new NetlinkMirror();
        mirror.Load(socket);
        var index = mirror.FindLink("lvs0")!.Index;
        Assert.False(mirror.Routing.TryResolve(Ip("203.0.113.5"), out _));

        a.Ip("route", "add", "203.0.113.0/24", "via", "198.51.100.2");
        a.Ip("neigh", "add", "198.51.100.2", "lladdr", "02:00:00:00:00:02", "dev", "lvs0");
        WaitFor(mirror, socket, () => mirror.Routing.TryResolve(Ip("203.0.113.5"), out _) && mirror.Neighbours.TryGet(index, Ip("198.51.100.2"), out _));

        Assert.True(mirror.Routing.TryResolve(Ip("203.0.113.5"), out var hop));
        Assert.Equal(Ip("198.51.100.2"), hop.NextHopAddress);
        Assert.True(mirror.Neighbours.TryGet(hop.IfIndex, hop.NextHopAddress, out var mac));
        Assert.Equal("02:00:00:00:00:02", mac.ToString());

        a.Ip("route", "del", "203.0.113.0/24");
        a.Ip("neigh", "del", "198.51.100.2", "dev", "lvs0");
        WaitFor(mirror, socket, () => !mirror.Routing.TryResolve(Ip("203.0.113.5"), out _) && !mirror.Neighbours.TryGet(index, Ip("198.51.100.2"), out _));

        Assert.False(mirror.Routing.TryResolve(Ip("203.0.113.5"), out _));
        Assert.False(mirror.Neighbours.TryGet(index, Ip("198.51.100.2"), out _));

        a.Ip("link", "set", "lvs0", "down");
        WaitFor(mirror, socket, () => !mirror.Routing.TryResolve(Ip("198.51.100.2"), out _));
        Assert.False(mirror.Routing.TryResolve(Ip("198.51.100.2"), out _));
        Assert.False(mirror.FindLink("lvs0")!.IsUp);
    }

    private static void WaitFor(NetlinkMirror mirror, RtNetlinkSocket socket, Func<bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            mirror.Refresh(socket);
            if (condition())
            {
                return;
            }

            Thread.Sleep(20);
        }
    }
}
