using System.Text.RegularExpressions;
using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// The DR and TUN labs with the kernel alone (no lvsd, no agent): the kernel's own forwarding
/// stands in for the director, so the tests show that the addresses, routes, rp_filter and the
/// router's reply counter are right before any of our programs is involved.
/// </summary>
public sealed class DirectReturnTopologyTests
{
    [RootFact]
    public void DrLab_KernelForwardsInPlaceOfLvsd_RepliesBypassDirectorAndRouterCountsThem()
    {
        string prefix;
        using (var lab = DrLab.Create())
        {
            prefix = lab.Prefix;
            Assert.Equal($"{prefix}-{{client,router,director,lan,rs1,rs2}}", lab.NamespaceSummary);
            Assert.Equal(["203.0.113.11", "203.0.113.12"], lab.RealServers.Select(r => r.Address));
            Assert.Contains("192.0.2.10 via 203.0.113.2 dev eth1", Run(lab, lab.RouterNamespace, "ip", "route"));
            Assert.Contains("192.0.2.10/32", Run(lab, lab.DirectorNamespace, "ip", "-o", "-4", "addr", "show", "dev", "eth0"));
            Assert.Contains("default via 203.0.113.1", Run(lab, lab.RealServers[1].Namespace, "ip", "route"));

            // What DR does, by the kernel: the director routes the VIP to rs1 unchanged but for
            // the MAC; rs1 holds the VIP on lo without answering ARP for it.
            PutVipOnLo(lab, lab.RealServers[0]);
            Run(lab, lab.DirectorNamespace, "ip", "addr", "del", "192.0.2.10/32", "dev", "eth0");
            Run(lab, lab.DirectorNamespace, "ip", "route", "add", "192.0.2.10/32", "via", "203.0.113.11");
            Run(lab, lab.DirectorNamespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.eth0.send_redirects=0");

            var body = lab.Curl("http://192.0.2.10/", TimeSpan.FromSeconds(5));
            Assert.True(body.Succeeded, body.Describe());
            Assert.Equal("rs1\n", body.Stdout);
            // The reply's packets came from rs1's MAC; the director's would not be counted.
            Assert.InRange(lab.RepliesForwardedByRouter(), 3, 100);
        }

        AssertRemoved(prefix);
    }

    [RootFact]
    public void TunLab_KernelDeliversToRealServerFromOtherNetwork_AsymmetricRepliesPassRouter()
    {
        string prefix;
        using (var lab = TunLab.Create(tunnel: TunnelType.Gue))
        {
            prefix = lab.Prefix;
            Assert.Equal(TunnelType.Gue, lab.Tunnel);
            Assert.Equal(["tunnel", "--vip", "192.0.2.10", "--type", "gue", "--port", "6080"], lab.AgentArgs);
            Assert.Contains("192.0.2.10 via 192.0.2.2 dev eth1", Run(lab, lab.RouterNamespace, "ip", "route"));
            Assert.Contains("default via 192.0.2.1", Run(lab, lab.DirectorNamespace, "ip", "route"));
            Assert.Equal("0", Run(lab, lab.RouterNamespace, "sysctl", "-n", "net.ipv4.conf.eth2.rp_filter").Trim());
            Assert.Equal("0", Run(lab, lab.DirectorNamespace, "sysctl", "-n", "net.ipv4.ip_forward").Trim());

            // Stand-in for the tunnel: packets the director sends back to the router for the VIP
            // go to rs1 by policy routing. rs1's reply (from the VIP) then enters the router on
            // the real servers' leg, not the VIP's, the asymmetric path TUN creates.
            PutVipOnLo(lab, lab.RealServers[0]);
            Run(lab, lab.RouterNamespace, "ip", "rule", "add", "iif", "eth1", "table", "100");
            Run(lab, lab.RouterNamespace, "ip", "route", "add", "192.0.2.10/32", "via", "203.0.113.11", "table", "100");
            Run(lab, lab.DirectorNamespace, "ip", "addr", "del", "192.0.2.10/32", "dev", "eth0");
            // Without this the director's /24 would make it ARP for the VIP on its own link.
            Run(lab, lab.DirectorNamespace, "ip", "route", "add", "192.0.2.10/32", "via", "192.0.2.1");
            Run(lab, lab.DirectorNamespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1", "net.ipv4.conf.all.send_redirects=0", "net.ipv4.conf.eth0.send_redirects=0");

            var body = lab.Curl("http://192.0.2.10/", TimeSpan.FromSeconds(5));
            Assert.True(body.Succeeded, body.Describe());
            Assert.Equal("rs1\n", body.Stdout);
            Assert.InRange(lab.RepliesForwardedByRouter(), 3, 100);
        }

        AssertRemoved(prefix);
    }

    private static void PutVipOnLo(DirectReturnLab lab, RealServer rs)
    {
        Run(lab, rs.Namespace, "ip", "addr", "add", "192.0.2.10/32", "dev", "lo");
        Run(lab, rs.Namespace, "sysctl", "-q", "-w", "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2");
    }

    private static string Run(LabTopology lab, string ns, params string[] command) =>
        lab.Exec(ns, command).EnsureSuccess().Stdout;

    private static void AssertRemoved(string prefix)
    {
        string namespaces = ProcessRunner.Run("ip", ["netns", "list"], TimeSpan.FromSeconds(10)).EnsureSuccess().Stdout;
        Assert.DoesNotMatch(Regex.Escape(prefix), namespaces);
    }
}
