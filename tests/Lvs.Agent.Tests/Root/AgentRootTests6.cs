using System.Net;
using System.Net.Sockets;
using System.Text;
using Lvs.Agent.Tests.Decap;
using Lvs.Linux;

namespace Lvs.Agent.Tests.Root;

/// <summary>
/// lvs-agent with IPv6 VIPs, as a child process in namespaces this test creates: "rs" runs the
/// agent on 2001:db8:b::2 and 203.0.113.2, "dir" plays the director on 2001:db8:b::1 and
/// 203.0.113.1, joined by one veth pair and nothing else (addresses added with nodad, so no
/// duplicate address detection delays them). Every packet loop is bounded; namespaces, the agent
/// and the temporary state go away in Dispose.
/// </summary>
public sealed class AgentRootTests6 : IDisposable
{
    private const string Vip = "2001:db8:a::10";
    private const string Vip4 = "192.0.2.10";
    private static readonly IPAddress RealServer6 = IPAddress.Parse("2001:db8:b::2");
    private static readonly IPAddress Director6 = IPAddress.Parse("2001:db8:b::1");
    private static readonly IPAddress RealServer4 = IPAddress.Parse("203.0.113.2");

    private readonly List<IDisposable> _cleanup = [];
    private readonly string _stateDir = Directory.CreateTempSubdirectory("lvs-agent-root6-").FullName;
    private AgentNamespace _rs = null!;
    private AgentNamespace _director = null!;

    private string StatePath => Path.Combine(_stateDir, "state.json");

    public void Dispose()
    {
        for (int i = _cleanup.Count - 1; i >= 0; i--)
        {
            _cleanup[i].Dispose();
        }

        Directory.Delete(_stateDir, recursive: true);
    }

    [RootFact]
    public void Dr_Ipv6Vip_SetsThenRestoresVipOnLoAndLeavesArpAlone()
    {
        Topology();
        _rs.Ip("-6", "addr", "add", "2001:db8:a::11/128", "dev", "lo", "nodad"); // already there: must survive the agent
        var agent = Track(AgentProcess.Start(_rs, "dr", "--vip", Vip, "--vip", "2001:db8:a::11", "--state", StatePath));

        string lo = _rs.Ip("-6", "addr", "show", "dev", "lo");
        Assert.Contains($"inet6 {Vip}/128 scope global nodad", lo, StringComparison.Ordinal);
        Assert.DoesNotContain("tentative", lo, StringComparison.Ordinal);

        // IPv6 needs nothing beyond the address (see HostChanges.AddVipToLoopback), and with no
        // IPv4 VIP the ARP sysctls are not touched.
        Assert.Equal("0", _rs.Sysctl("net/ipv4/conf/all/arp_ignore"));
        Assert.Equal("0", _rs.Sysctl("net/ipv4/conf/r0/arp_announce"));
        Assert.True(File.Exists(StatePath));

        Assert.Equal(0, agent.Stop());

        lo = _rs.Ip("-6", "addr", "show", "dev", "lo");
        Assert.DoesNotContain($"inet6 {Vip}/128", lo, StringComparison.Ordinal);
        Assert.Contains("inet6 2001:db8:a::11/128", lo, StringComparison.Ordinal);
        Assert.False(File.Exists(StatePath));
    }

    [RootFact]
    public void Dr_NeighbourSolicitationForVip_NoAdvertisement()
    {
        Topology();
        var agent = Track(AgentProcess.Start(_rs, "dr", "--vip", Vip, "--vip", Vip4, "--state", StatePath));
        using NeighbourProbe probe = NeighbourProbe.Open(_director, "d0", Director6);

        // Control: the real server's own address is advertised, so solicitations do reach it.
        List<IPAddress> own = [];
        for (int attempt = 0; attempt < 5 && own.Count == 0; attempt++)
        {
            own = probe.Solicit(RealServer6, RealServer6, TimeSpan.FromSeconds(1));
        }

        Assert.Contains(RealServer6, own);

        // The VIP, asked for by unicast to the real server (a neighbour-unreachability probe),
        // by its solicited-node group, and sent to the VIP itself: no advertisement.
        IPAddress vip = IPAddress.Parse(Vip);
        Assert.Empty(probe.Solicit(vip, RealServer6, TimeSpan.FromSeconds(1)));
        Assert.Empty(probe.Solicit(vip, null, TimeSpan.FromSeconds(1)));
        _director.Ip("-6", "route", "add", $"{Vip}/128", "dev", "d0");
        Assert.Empty(probe.Solicit(vip, vip, TimeSpan.FromSeconds(1)));

        // The control again, after: the link still worked while the VIP stayed silent.
        Assert.Contains(RealServer6, probe.Solicit(RealServer6, RealServer6, TimeSpan.FromSeconds(1)));
        Assert.Equal(0, agent.Stop());
    }

    [RootFact]
    public void Dr_TrafficFromVip_SolicitsWithoutVipAsSource()
    {
        Topology();
        var agent = Track(AgentProcess.Start(_rs, "dr", "--vip", Vip, "--state", StatePath));
        using NeighbourProbe probe = NeighbourProbe.Open(_director, "d0", Director6);
        using Socket sender = NetNs.Run(_rs.Name, () =>
        {
            var s = new Socket(AddressFamily.InterNetworkV6, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Parse(Vip), 0));
            return s;
        });

        // A reply from the VIP to a host on the link makes the real server resolve it; the
        // solicitation must not carry the VIP as its source (the arp_announce=2 counterpart).
        List<IPAddress> sources = [];
        for (int attempt = 0; attempt < 5 && sources.Count == 0; attempt++)
        {
            sender.SendTo("reply"u8.ToArray(), new IPEndPoint(Director6, 9));
            sources = probe.SolicitationSourcesFor(Director6, TimeSpan.FromSeconds(1), () => false);
        }

        Assert.NotEmpty(sources);
        Assert.DoesNotContain(IPAddress.Parse(Vip), sources);
        Assert.Equal(0, agent.Stop());
    }

    [RootFact]
    public void Undo_AfterAgentKilled_RemovesIpv6Vip()
    {
        Topology();
        var agent = Track(AgentProcess.Start(_rs, "dr", "--vip", Vip, "--state", StatePath));
        agent.Signal("KILL");
        Thread.Sleep(300);
        Assert.Contains($"inet6 {Vip}/128", _rs.Ip("-6", "addr", "show", "dev", "lo"), StringComparison.Ordinal);

        AgentNamespace.Run("ip", "netns", "exec", _rs.Name, AgentProcess.Binary, "undo", "--state", StatePath);

        Assert.DoesNotContain($"inet6 {Vip}/128", _rs.Ip("-6", "addr", "show", "dev", "lo"), StringComparison.Ordinal);
        Assert.False(File.Exists(StatePath));
    }

    [RootFact]
    public void Tunnel_IpipIpv6AndMixedFamilies_DeliversToVipListenersAndCountsDrops()
    {
        Topology();
        var agent = Track(AgentProcess.Start(_rs, "tunnel", "--vip", Vip, "--vip", Vip4, "--type", "ipip", "--userspace", "--state", StatePath));
        Assert.Equal("0", _rs.Sysctl("net/ipv6/conf/lvstun0/disable_ipv6"));
        Assert.Equal("0", _rs.Sysctl("net/ipv4/conf/lvstun0/rp_filter"));
        Assert.Equal("1", _rs.Sysctl("net/ipv4/conf/r0/arp_ignore"));
        Assert.Equal("0", _rs.Sysctl("net/ipv6/conf/all/forwarding"));

        using Socket listener6 = Listener(AddressFamily.InterNetworkV6, Vip);
        using Socket listener4 = Listener(AddressFamily.InterNetwork, Vip4);

        // The director's side, hand-built as ip_vs_tunnel_xmit(_v6) sends them: next header 41 or 4
        // in IPv6, protocol 41 in IPv4. IPPROTO_RAW sockets send the outer header as given.
        using Socket raw6 = NetNs.Run(_director.Name, () => new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.Raw));
        using Socket raw4 = NetNs.Run(_director.Name, () => new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw));
        var to6 = new IPEndPoint(RealServer6, 0);
        var to4 = new IPEndPoint(RealServer4, 0);

        var vip6 = Lvs.Core.Packets.Ipv6Address.Parse(Vip);
        Assert.Equal("via 6in6", Exchange(listener6, () => raw6.SendTo(TestPackets6.Ip6InIp6OnWire(TestPackets6.Inner6(vip6, "via 6in6")), to6)));
        Assert.Equal("via 4in6", Exchange(listener4, () => raw6.SendTo(TestPackets6.Ip4InIp6OnWire(TestPackets.Inner(TestPackets.Vip, "via 4in6")), to6)));
        Assert.Equal("via 6in4", Exchange(listener6, () => raw4.SendTo(TestPackets6.Ip6InIp4(TestPackets6.Inner6(vip6, "via 6in4")), to4)));

        // The path works now: another VIP, and an IPv4 packet where next header 41 promises IPv6,
        // are dropped and counted, and nothing reaches the listeners.
        raw6.SendTo(TestPackets6.Ip6InIp6OnWire(TestPackets6.Inner6(TestPackets6.OtherVip, "not for us")), to6);
        raw6.SendTo(TestPackets6.Ip6InIp6OnWire(TestPackets.Inner(TestPackets.Vip, "not ipv6")), to6);
        Thread.Sleep(300);
        var buffer = new byte[2048];
        Assert.Throws<SocketException>(() => listener6.Receive(buffer));
        Assert.Throws<SocketException>(() => listener4.Receive(buffer));

        agent.Signal("USR1");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!agent.Stderr.Contains("reason=inner-not-ipv6", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }

        Assert.Equal(0, agent.Stop());
        string log = agent.Stderr;
        Assert.Contains("reason=not-our-vip packets=1", log, StringComparison.Ordinal);
        Assert.Contains("reason=inner-not-ipv6 packets=1", log, StringComparison.Ordinal);
        Assert.Matches(@"reason=delivered packets=([3-9]|\d\d)", log);
        Assert.DoesNotContain("lvstun0", _rs.Ip("-br", "link", "show"), StringComparison.Ordinal);
        Assert.DoesNotContain($"inet6 {Vip}/128", _rs.Ip("-6", "addr", "show", "dev", "lo"), StringComparison.Ordinal);
        Assert.DoesNotContain($"inet {Vip4}/32", _rs.Ip("-4", "addr", "show", "dev", "lo"), StringComparison.Ordinal);
        Assert.Equal("0", _rs.Sysctl("net/ipv4/conf/r0/arp_ignore"));
        Assert.False(File.Exists(StatePath));
    }

    [RootFact]
    public void Tunnel_GueWithIpv6Vip_RefusedBeforeChangingAnything()
    {
        Topology();
        var psi = new System.Diagnostics.ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string arg in (string[])["netns", "exec", _rs.Name, AgentProcess.Binary, "tunnel", "--vip", Vip, "--type", "gue", "--state", StatePath])
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = System.Diagnostics.Process.Start(psi)!;
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(15)));
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("gue/gre with IPv6 VIPs is not built yet", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Vip, _rs.Ip("-6", "addr", "show", "dev", "lo"), StringComparison.Ordinal);
        Assert.False(File.Exists(StatePath));
    }

    /// <summary>Sends (again, up to 10 times: fresh namespaces lose the first packets) until the listener reads one datagram.</summary>
    private static string Exchange(Socket listener, Action send)
    {
        var buffer = new byte[2048];
        for (int attempt = 0; attempt < 10; attempt++)
        {
            send();
            try
            {
                return Encoding.ASCII.GetString(buffer, 0, listener.Receive(buffer));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                // Neighbours still resolving; send again.
            }
        }

        return string.Empty;
    }

    private Socket Listener(AddressFamily family, string address) => NetNs.Run(_rs.Name, () =>
    {
        var s = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Parse(address), 9999));
        s.ReceiveTimeout = 500;
        return s;
    });

    private void Topology()
    {
        string prefix = AgentNamespace.NewPrefix();
        _rs = Track(AgentNamespace.Create(prefix, "rs"));
        _director = Track(AgentNamespace.Create(prefix, "dir"));
        AgentNamespace.LinkVeth(_director, "d0", "203.0.113.1/24", _rs, "r0", "203.0.113.2/24");
        _director.Ip("-6", "addr", "add", "2001:db8:b::1/64", "dev", "d0", "nodad");
        _rs.Ip("-6", "addr", "add", "2001:db8:b::2/64", "dev", "r0", "nodad");
    }

    private T Track<T>(T item)
        where T : IDisposable
    {
        _cleanup.Add(item);
        return item;
    }
}
