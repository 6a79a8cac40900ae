using System.Diagnostics;

namespace Lvs.Lab;

// The DR shape of the failover lab: the client behind a router, both directors and the real
// servers on one LAN, the VIP on the real servers' lo through lvs-agent dr.
public sealed partial class FailoverLab
{
    /// <summary>DR: the router's address on the shared LAN, everyone's default gateway there.</summary>
    public const string RouterLanAddress = "203.0.113.1";

    /// <summary>
    /// DR: one VRRP instance VI_OUT moves the VIP between the directors on the LAN; the router
    /// reaches the VIP on-link, so the new master's gratuitous ARP redirects it. Sync runs on eth0.
    /// <code>
    ///  client eth0 198.51.100.2 ── eth0 router 198.51.100.1   (192.0.2.10/32 dev eth1: ARP on the LAN)
    ///                                  eth1 203.0.113.1 ── br0 in lan ─┬─ eth0 d1 203.0.113.2 (VI_OUT: VIP/32)
    ///                                                                  ├─ eth0 d2 203.0.113.3
    ///                                                                  ├─ eth0 rs1 203.0.113.11 (VIP on lo)
    ///                                                                  └─ eth0 rs2 203.0.113.12 (VIP on lo)
    /// </code>
    /// </summary>
    private void BuildDr(LabOptions options)
    {
        Log($"building DR failover lab {Prefix} with {options.RealServerCount} real servers");
        var servers = DefineRealServers(options.RealServerCount, "203.0.113", "2001:db8:b::");
        foreach (string ns in new[] { ClientNamespace, OutsideNamespace, LanNamespace }
                     .Concat(Directors.Select(d => d.Namespace)).Concat(servers.Select(s => s.Namespace)))
        {
            AddNamespace(ns);
        }

        Ip(LanNamespace, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
        Ip(LanNamespace, "link", "set", "br0", "up");

        Veth(ClientNamespace, "eth0", OutsideNamespace, "eth0");
        Ip(ClientNamespace, "addr", "add", ClientAddress + "/24", "dev", "eth0");
        Ip(ClientNamespace, "link", "set", "eth0", "up");
        Ip(ClientNamespace, "route", "add", "default", "via", ClientGateway);
        Ip(OutsideNamespace, "addr", "add", ClientGateway + "/24", "dev", "eth0");
        Ip(OutsideNamespace, "link", "set", "eth0", "up");
        Attach(OutsideNamespace, "eth1", LanNamespace, "router");
        Ip(OutsideNamespace, "addr", "add", RouterLanAddress + "/24", "dev", "eth1");
        Ip(OutsideNamespace, "link", "set", "eth1", "up");
        Ip(OutsideNamespace, "route", "add", Vip + "/32", "dev", "eth1");
        Sysctl(OutsideNamespace, "net.ipv4.ip_forward=1");

        foreach (var d in Directors)
        {
            Attach(d.Namespace, "eth0", LanNamespace, d.Name);
            Ip(d.Namespace, "addr", "add", d.OutsideAddress + "/24", "dev", "eth0");
            Ip(d.Namespace, "link", "set", "eth0", "up");
            // Only for the director's own traffic; lvsd forwards, not the kernel.
            Ip(d.Namespace, "route", "add", "default", "via", RouterLanAddress);
            Sysctl(d.Namespace, "net.ipv4.ip_forward=0");
        }

        foreach (var rs in servers)
        {
            Attach(rs.Namespace, "eth0", LanNamespace, rs.Name);
            Ip(rs.Namespace, "addr", "add", rs.Address + "/24", "dev", "eth0");
            Ip(rs.Namespace, "link", "set", "eth0", "up");
            Ip(rs.Namespace, "route", "add", "default", "via", RouterLanAddress);
        }

        StartServers(options);
        StartAgents();
    }

    // lvs-agent dr puts the VIP on each real server's lo with ARP for it suppressed.
    private void StartAgents()
    {
        string agent = RequireProgram("lvs-agent", "src/Lvs.Agent");
        var clock = Stopwatch.StartNew();
        foreach (var rs in RealServers)
        {
            var process = StartInNamespace($"lvs-agent {rs.Name}", rs.Namespace, agent, "dr", "--vip", Vip);
            while (true)
            {
                var lo = Exec(rs.Namespace, "ip", "-o", "-4", "addr", "show", "dev", "lo");
                if (lo.Succeeded && lo.Stdout.Contains($" {Vip}/", StringComparison.Ordinal))
                {
                    break;
                }

                if (process.HasExited || clock.Elapsed > TimeSpan.FromSeconds(10))
                {
                    throw new LabException($"lvs-agent on {rs.Name} not ready: {process.Output}");
                }

                Thread.Sleep(100);
            }
        }
    }
}
