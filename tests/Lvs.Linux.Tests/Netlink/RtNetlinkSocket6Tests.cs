using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO;

namespace Lvs.Linux.Tests.Netlink;

/// <summary>
/// IPv6 routes, addresses and neighbours from the real kernel, in the namespaces of <see cref="Ipv6Lab"/>,
/// checked against iproute2's own answers.
/// </summary>
public sealed class RtNetlinkSocket6Tests
{
    private static Ip6 A(string text) => Ip6.Parse(text);

    [RootFact]
    public void Dumps_Ipv6Namespaces_FindAddressesAndRoutes()
    {
        using var lab = Ipv6Lab.Create();
        lab.Director.Ip("-6", "route", "add", "2001:db8:a::/64", "via", "2001:db8:c::2", "metric", "50");
        lab.Director.Ip("-6", "route", "add", "default", "via", "fe80::fe", "dev", "lvs0");
        using var socket = NetNs.Run(lab.Director.Name, () => RtNetlinkSocket.Open());

        var links = socket.DumpLinks();
        var addresses = socket.DumpAddresses();
        var routes = socket.DumpRoutes();

        var lvs0 = Assert.Single(links, l => l.Name == "lvs0").Index;
        Assert.Contains(new AddressInfo(lvs0, IPAddress.Parse("2001:db8:c::1"), 64), addresses);
        Assert.Contains(addresses, a => a.IfIndex == lvs0 && a.Address.IsIPv6LinkLocal && a.PrefixLength == 64);
        Assert.Contains(routes, r => r.Table == 254 && r.Type == RouteType.Unicast && r.Destination.Equals(IPAddress.Parse("2001:db8:c::"))
            && r.DestinationLength == 64 && r.OutputIfIndex == lvs0 && r.Gateway is null);
        Assert.Contains(routes, r => r.Table == 254 && r.Destination.Equals(IPAddress.Parse("2001:db8:a::"))
            && r.Gateway!.Equals(IPAddress.Parse("2001:db8:c::2")) && r.Priority == 50);
        Assert.Contains(routes, r => r.Table == 254 && r.DestinationLength == 0 && r.Gateway!.Equals(IPAddress.Parse("fe80::fe")) && r.OutputIfIndex == lvs0);
        Assert.Contains(routes, r => r.Table == 255 && r.Type == RouteType.Local && r.Destination.Equals(IPAddress.Parse("2001:db8:c::1")));
        Assert.Equal(0, socket.MalformedMessages);

        var view = RoutingView.Build(links, addresses, routes);
        Assert.True(view.TryResolve6(A("2001:db8:a::80"), out var vip));
        Assert.Equal(new NextHop6(lvs0, A("2001:db8:c::2"), A("2001:db8:c::1"), 1500, NextHopKind.Unicast), vip);
        Assert.True(view.TryResolve6(A("2001:db8:ffff::1"), out var viaDefault));
        Assert.Equal(new NextHop6(lvs0, A("fe80::fe"), A("2001:db8:c::1"), 1500, NextHopKind.Unicast), viaDefault);
        Assert.True(view.IsLocal6(A("2001:db8:b::1")));
    }

    [RootFact]
    public void TryResolve6_ManyDestinations_MatchesIpRouteGet()
    {
        using var lab = Ipv6Lab.Create();
        var dir = lab.Director;
        dir.Ip("-6", "route", "add", "2001:db8:a::/64", "via", "2001:db8:c::2", "metric", "50");
        dir.Ip("-6", "route", "add", "2001:db8:a::/64", "via", "2001:db8:b::10", "metric", "20");
        dir.Ip("-6", "route", "add", "2001:db8:a::80/128", "via", "fe80::99", "dev", "lvs2");
        dir.Ip("-6", "route", "add", "2001:db8:d::/48", "dev", "lvs0", "src", "2001:db8:b::1");
        dir.Ip("-6", "route", "add", "2001:db8:e::/48", "via", "2001:db8:c::2", "mtu", "1400");
        dir.Ip("-6", "route", "add", "default", "via", "fe80::fe", "dev", "lvs0");
        var mirror = new NetlinkMirror();
        using var socket = NetNs.Run(dir.Name, () => RtNetlinkSocket.Open());
        mirror.Load(socket);

        string[] destinations =
        [
            "2001:db8:c::2", "2001:db8:c::77", "2001:db8:b::10", "2001:db8:b::ffff", "2001:db8:a::1", "2001:db8:a::80",
            "2001:db8:a::81", "2001:db8:d::5", "2001:db8:e::5", "2001:db8:1234::1", "fd00::1", "2001:db8:c::1", "2001:db8:b::1", "::1",
        ];
        foreach (var text in destinations)
        {
            var kernel = KernelRoute(dir, text);
            var found = mirror.Routing.TryResolve6(A(text), out var hop);

            if (kernel.Local)
            {
                Assert.False(found, text);
                Assert.Equal(NextHopKind.Local, hop.Kind);
                Assert.Equal(A(kernel.Source!), hop.PreferredSource);
                continue;
            }

            Assert.True(found, text);
            Assert.Equal(mirror.FindLink(kernel.Device)!.Index, hop.IfIndex);
            Assert.Equal(A(kernel.Via ?? text), hop.NextHopAddress);
            Assert.Equal(A(kernel.Source!), hop.PreferredSource);
            Assert.Equal(kernel.Mtu ?? 1500, hop.Mtu);
        }
    }

    [RootFact]
    public void NeighbourEvents_Ipv6_ReachCacheThenLeaveIt()
    {
        using var lab = Ipv6Lab.Create();
        var dir = lab.Director;
        using var socket = NetNs.Run(dir.Name, () => RtNetlinkSocket.Open());
        var mirror = new NetlinkMirror();
        mirror.Load(socket);
        var lvs0 = mirror.FindLink("lvs0")!.Index;
        var lvs2 = mirror.FindLink("lvs2")!.Index;

        dir.Ip("-6", "neigh", "add", "2001:db8:c::9", "lladdr", "02:00:00:00:00:09", "dev", "lvs0");
        dir.Ip("-6", "neigh", "add", "fe80::fe", "lladdr", "02:00:00:00:00:fe", "dev", "lvs2");

        // The kernel's own neighbour discovery: one datagram to the real server makes it solicit.
        using (var udp = NetNs.Run(dir.Name, () => new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp)))
        {
            udp.SendTo([1], new IPEndPoint(IPAddress.Parse("2001:db8:b::10"), 9));
        }

        WaitFor(mirror, socket, () => mirror.Neighbours.TryGet6(lvs0, A("2001:db8:c::9"), out _)
            && mirror.Neighbours.TryGet6(lvs2, A("fe80::fe"), out _) && mirror.Neighbours.TryGet6(lvs2, A("2001:db8:b::10"), out _));

        Assert.True(mirror.Neighbours.TryGet6(lvs0, A("2001:db8:c::9"), out var statik));
        Assert.Equal("02:00:00:00:00:09", statik.ToString());
        Assert.True(mirror.Neighbours.TryGet6(lvs2, A("fe80::fe"), out var linkLocal));
        Assert.Equal("02:00:00:00:00:fe", linkLocal.ToString());
        Assert.False(mirror.Neighbours.TryGet6(lvs0, A("fe80::fe"), out _));
        Assert.True(mirror.Neighbours.TryGet6(lvs2, A("2001:db8:b::10"), out var learned));
        Assert.Equal(lab.RealServer.MacOf("lvs3"), MacBytes(learned));

        // A fresh dump finds the same entries.
        mirror.Load(socket);
        Assert.True(mirror.Neighbours.TryGet6(lvs0, A("2001:db8:c::9"), out _));
        Assert.True(mirror.Neighbours.TryGet6(lvs2, A("2001:db8:b::10"), out _));

        dir.Ip("-6", "neigh", "del", "2001:db8:c::9", "dev", "lvs0");
        WaitFor(mirror, socket, () => !mirror.Neighbours.TryGet6(lvs0, A("2001:db8:c::9"), out _));
        Assert.False(mirror.Neighbours.TryGet6(lvs0, A("2001:db8:c::9"), out _));
        Assert.True(mirror.Neighbours.TryGet6(lvs2, A("fe80::fe"), out _));
    }

    [RootFact]
    public void Mirror_Ipv6RouteAndLinkEvents_UpdateView()
    {
        using var lab = Ipv6Lab.Create();
        var dir = lab.Director;
        using var socket = NetNs.Run(dir.Name, () => RtNetlinkSocket.Open());
        var mirror = new NetlinkMirror();
        mirror.Load(socket);
        var lvs0 = mirror.FindLink("lvs0")!.Index;
        Assert.False(mirror.Routing.TryResolve6(A("2001:db8:a::80"), out _));

        dir.Ip("-6", "route", "add", "2001:db8:a::/64", "via", "fe80::2", "dev", "lvs0");
        WaitFor(mirror, socket, () => mirror.Routing.TryResolve6(A("2001:db8:a::80"), out _));
        Assert.True(mirror.Routing.TryResolve6(A("2001:db8:a::80"), out var hop));
        Assert.Equal(new NextHop6(lvs0, A("fe80::2"), A("2001:db8:c::1"), 1500, NextHopKind.Unicast), hop);

        // A second address on lvs0 arrives by event and its local route with it.
        dir.Ip("-6", "addr", "add", "2001:db8:c::5/64", "dev", "lvs0", "nodad");
        WaitFor(mirror, socket, () => mirror.Routing.IsLocal6(A("2001:db8:c::5")));
        Assert.True(mirror.Routing.IsLocal6(A("2001:db8:c::5")));

        dir.Ip("-6", "route", "del", "2001:db8:a::/64");
        WaitFor(mirror, socket, () => !mirror.Routing.TryResolve6(A("2001:db8:a::80"), out _));
        Assert.False(mirror.Routing.TryResolve6(A("2001:db8:a::80"), out _));

        Assert.True(mirror.Routing.TryResolve6(A("2001:db8:c::2"), out _));
        dir.Ip("link", "set", "lvs0", "down");
        WaitFor(mirror, socket, () => !mirror.Routing.TryResolve6(A("2001:db8:c::2"), out _));
        Assert.False(mirror.Routing.TryResolve6(A("2001:db8:c::2"), out _));
        Assert.Throws<InvalidOperationException>(() => dir.Ip("-6", "route", "get", "2001:db8:c::2"));

        // lvs0's fe80::/64 went with it, lvs2's stays (same prefix and metric, other interface).
        Assert.True(mirror.Routing.TryResolve6(A("fe80::10"), out var linkLocal));
        Assert.Equal(mirror.FindLink("lvs2")!.Index, linkLocal.IfIndex);
        Assert.True(mirror.Routing.TryResolve6(A("2001:db8:b::10"), out _));
    }

    [RootFact]
    public void BuildNeighbourSolicitation_SentOnVeth_PeerKernelLearnsSender()
    {
        using var lab = Ipv6Lab.Create();
        var mac = new MacAddress(lab.Director.MacOf("lvs0"));
        var frame = new byte[NeighbourCache.NeighbourSolicitationLength];
        NeighbourCache.BuildNeighbourSolicitation(frame, mac, A("2001:db8:c::1"), A("2001:db8:c::2"));
        using var sender = NetNs.Run(lab.Director.Name, () => PacketSender.Open("lvs0"));

        // The client's kernel accepts only a well-formed solicitation (hop limit 255, checksum,
        // option) and then records the sender's link-layer address; up to three tries.
        var seen = string.Empty;
        for (var attempt = 0; attempt < 3 && !seen.Contains(mac.ToString(), StringComparison.Ordinal); attempt++)
        {
            Assert.True(sender.TryEnqueue(frame, default));
            Assert.Equal(1, sender.Flush());
            var deadline = Stopwatch.StartNew();
            do
            {
                Thread.Sleep(50);
                seen = lab.Client.Ip("-6", "neigh", "show", "2001:db8:c::1", "dev", "lvs1");
            }
            while (!seen.Contains(mac.ToString(), StringComparison.Ordinal) && deadline.Elapsed < TimeSpan.FromSeconds(1));
        }

        Assert.Contains($"lladdr {mac}", seen, StringComparison.Ordinal);
    }

    private static byte[] MacBytes(MacAddress mac)
    {
        var bytes = new byte[MacAddress.Length];
        mac.WriteTo(bytes);
        return bytes;
    }

    /// <summary>What `ip -6 route get` says: "[local] DEST [from ::] [via GW] dev DEV ... src SRC ... [mtu N]".</summary>
    private static (bool Local, string Device, string? Via, string? Source, int? Mtu) KernelRoute(TestNamespace ns, string destination)
    {
        var words = ns.Ip("-6", "route", "get", destination).Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        string? After(string key)
        {
            var index = Array.IndexOf(words, key);
            return index >= 0 && index + 1 < words.Length ? words[index + 1] : null;
        }

        var mtu = After("mtu");
        return (words[0] == "local", After("dev")!, After("via"), After("src"), mtu is null ? null : int.Parse(mtu, System.Globalization.CultureInfo.InvariantCulture));
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
