using System.Text.RegularExpressions;
using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// The IPv6 half of the dual-stack labs with the kernel alone (no lvsd): addresses usable at
/// once, ICMPv6 echo along every leg, nginx answering on [::]:80, lvs-agent putting the IPv6
/// VIP on lo, and the kernel's own IPv6 forwarding standing in for the director so the routes
/// and the router's IPv6 reply counter are shown right before lvsd is involved.
/// </summary>
public sealed class Ipv6TopologyTests
{
    [PingFact]
    public void NatLab_DualStack_Ipv6LegsAnswerAndDirectorForwardsNothingByItself()
    {
        string prefix;
        using (var lab = NatLab.Create())
        {
            prefix = lab.Prefix;
            Assert.True(lab.Ipv6);
            Assert.Equal(["fd00::11", "fd00::12"], lab.RealServers.Select(r => r.Address6));
            string director = Run(lab, lab.DirectorNamespace, "ip", "-o", "-6", "addr", "show");
            Assert.Contains("2001:db8:c::1/64", director);
            Assert.Contains("2001:db8:a::1/128", director);
            Assert.Contains("fd00::1/64", director);
            // nodad: nothing waits for duplicate address detection.
            Assert.DoesNotContain("tentative", director);
            Assert.Contains("default via 2001:db8:c::1", Run(lab, lab.ClientNamespace, "ip", "-6", "route"));
            Assert.Contains("default via fd00::1", Run(lab, lab.RealServers[1].Namespace, "ip", "-6", "route"));
            Assert.Equal("0", Run(lab, lab.DirectorNamespace, "sysctl", "-n", "net.ipv6.conf.all.forwarding").Trim());

            AssertPings(lab, lab.ClientNamespace, NatLab.DirectorOutsideAddress6);
            AssertPings(lab, lab.ClientNamespace, LabTopology.Vip6);
            foreach (var rs in lab.RealServers)
            {
                AssertPings(lab, lab.DirectorNamespace, rs.Address6!);
                Assert.Equal(rs.Name + "\n", Run(lab, lab.DirectorNamespace, "curl", "-g", "-sS", "--max-time", "5", $"http://[{rs.Address6}]/"));
            }

            // Without lvsd the director's kernel neither forwards IPv6 nor serves port 80 on the VIP.
            var across = lab.Exec(lab.ClientNamespace, "ping", "-6", "-n", "-c", "1", "-W", "1", lab.RealServers[0].Address6!);
            Assert.False(across.Succeeded, across.Describe());
            var viaVip = lab.Curl(LabTopology.Vip6Url(), TimeSpan.FromSeconds(2));
            Assert.Equal(7, viaVip.ExitCode);
        }

        AssertRemoved(prefix);
    }

    [PingFact]
    public void DrLab_DualStack_AgentsPutVip6OnLoAndKernelForwardingInPlaceOfLvsdReachesRealServer()
    {
        string prefix;
        using (var lab = DrLab.Create())
        {
            prefix = lab.Prefix;
            Assert.Equal(["dr", "--vip", "192.0.2.10", "--vip", "2001:db8:a::1"], lab.AgentArgs);
            Assert.Equal(["2001:db8:b::11", "2001:db8:b::12"], lab.RealServers.Select(r => r.Address6));
            Assert.Contains("2001:db8:a::1 via 2001:db8:b::2 dev eth1", Run(lab, lab.RouterNamespace, "ip", "-6", "route"));
            Assert.Contains("default via 2001:db8:b::1", Run(lab, lab.DirectorNamespace, "ip", "-6", "route"));
            Assert.Equal("1", Run(lab, lab.RouterNamespace, "sysctl", "-n", "net.ipv6.conf.all.forwarding").Trim());
            AssertPings(lab, lab.ClientNamespace, DrLab.DirectorAddress6);
            AssertPings(lab, lab.ClientNamespace, LabTopology.Vip6);
            AssertPings(lab, lab.DirectorNamespace, lab.RealServers[1].Address6!);

            lab.StartAgents();
            foreach (var rs in lab.RealServers)
            {
                Assert.Contains("inet6 2001:db8:a::1/128", Run(lab, rs.Namespace, "ip", "-o", "-6", "addr", "show", "dev", "lo"));
            }

            // What DR does, by the kernel: the director routes the IPv6 VIP to rs1, which holds it on lo.
            Run(lab, lab.DirectorNamespace, "ip", "-6", "addr", "del", "2001:db8:a::1/128", "dev", "eth0");
            Run(lab, lab.DirectorNamespace, "ip", "-6", "route", "add", "2001:db8:a::1/128", "via", "2001:db8:b::11");
            Run(lab, lab.DirectorNamespace, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");

            var body = lab.Curl(LabTopology.Vip6Url(), TimeSpan.FromSeconds(5));
            Assert.True(body.Succeeded, body.Describe());
            Assert.Equal("rs1\n", body.Stdout);
            // rs1's replies, from its own MAC, passed the router; the IPv4 counter saw none of them.
            Assert.InRange(lab.Ipv6RepliesForwardedByRouter(), 3, 100);
            Assert.Equal(0, lab.RepliesForwardedByRouter());
        }

        AssertRemoved(prefix);
    }

    [PingFact]
    public void TunLab_DualStackIpip_AgentsTakeVip6AndAsymmetricIpv6RepliesPassRouter()
    {
        string prefix;
        using (var lab = TunLab.Create(tunnel: TunnelType.Ipip))
        {
            prefix = lab.Prefix;
            Assert.Equal(["tunnel", "--vip", "192.0.2.10", "--vip", "2001:db8:a::1", "--type", "ipip"], lab.AgentArgs);
            Assert.Contains("2001:db8:a::1 via 2001:db8:a::2 dev eth1", Run(lab, lab.RouterNamespace, "ip", "-6", "route"));
            Assert.Contains("default via 2001:db8:a::fe", Run(lab, lab.DirectorNamespace, "ip", "-6", "route"));
            AssertPings(lab, lab.ClientNamespace, TunLab.DirectorAddress6);
            // The tunnel's outer path: director to real server, across the router.
            AssertPings(lab, lab.DirectorNamespace, lab.RealServers[0].Address6!);

            lab.StartAgents();
            foreach (var rs in lab.RealServers)
            {
                Assert.Contains("inet6 2001:db8:a::1/128", Run(lab, rs.Namespace, "ip", "-o", "-6", "addr", "show", "dev", "lo"));
            }

            // Stand-in for the tunnel, as in the IPv4 test: what the director sends back to the
            // router for the VIP goes to rs1 by policy routing, and rs1's reply enters the router
            // on the real servers' leg.
            Run(lab, lab.RouterNamespace, "ip", "-6", "rule", "add", "iif", "eth1", "table", "100");
            Run(lab, lab.RouterNamespace, "ip", "-6", "route", "add", "2001:db8:a::1/128", "via", "2001:db8:b::11", "table", "100");
            Run(lab, lab.DirectorNamespace, "ip", "-6", "addr", "del", "2001:db8:a::1/128", "dev", "eth0");
            Run(lab, lab.DirectorNamespace, "ip", "-6", "route", "add", "2001:db8:a::1/128", "via", TunLab.RouterDirectorSideAddress6);
            Run(lab, lab.DirectorNamespace, "sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");

            var body = lab.Curl(LabTopology.Vip6Url(), TimeSpan.FromSeconds(5));
            Assert.True(body.Succeeded, body.Describe());
            Assert.Equal("rs1\n", body.Stdout);
            Assert.InRange(lab.Ipv6RepliesForwardedByRouter(), 3, 100);
        }

        AssertRemoved(prefix);
    }

    [PingFact]
    public void GueLab_DualStack_AgentsServeIpv4VipOnly()
    {
        using var lab = TunLab.Create(tunnel: TunnelType.Gue);

        // lvs-agent refuses IPv6 VIPs for GUE and GRE; the lab's IPv6 legs are there all the same.
        Assert.False(lab.CarriesIpv6);
        Assert.DoesNotContain(LabTopology.Vip6, lab.AgentArgs);
        AssertPings(lab, lab.DirectorNamespace, lab.RealServers[0].Address6!);
    }

    [RootFact]
    public void NatLab_Ipv6Off_NoIpv6AddressesAndNginxOnIpv4Only()
    {
        using var lab = NatLab.Create(new LabOptions { Ipv6 = false, RealServerCount = 1 });

        Assert.False(lab.Ipv6);
        Assert.Null(lab.RealServers[0].Address6);
        Assert.DoesNotContain("inet6 fd00", Run(lab, lab.RealServers[0].Namespace, "ip", "-o", "-6", "addr", "show"));
        Assert.DoesNotContain("[::]", File.ReadAllText(Path.Combine(lab.ServerDirectory(lab.RealServers[0]), "nginx.conf")));
        Assert.Throws<InvalidOperationException>(() => lab.AddService6("rr", 1));
    }

    // Three echoes 0.2 s apart, each waited for 2 s: ping exits 0 if any came back.
    private static void AssertPings(LabTopology lab, string ns, string address)
    {
        var ping = lab.Exec(ns, "ping", "-6", "-n", "-c", "3", "-i", "0.2", "-W", "2", address);
        Assert.True(ping.Succeeded, $"{ns} -> {address}: {ping.Describe()}");
    }

    private static string Run(LabTopology lab, string ns, params string[] command) =>
        lab.Exec(ns, command).EnsureSuccess().Stdout;

    private static void AssertRemoved(string prefix)
    {
        string namespaces = ProcessRunner.Run("ip", ["netns", "list"], TimeSpan.FromSeconds(10)).EnsureSuccess().Stdout;
        Assert.DoesNotMatch(Regex.Escape(prefix), namespaces);
    }
}
