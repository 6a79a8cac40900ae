using System.Text;

namespace Lvs.Lab.Bench;

/// <summary>The baseline: no load balancer; the director's namespace only routes, to the first real server.</summary>
internal sealed class RoutedBalancer(NatLab lab) : Balancer("routed", "no load balancer (routed)", lab)
{
    public override string Target => Lab.RealServers[0].Address;

    public override bool HasProcess => false;

    public override void Start(int processes) => Director("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");

    public override void Stop() => Director("sysctl", "-q", "-w", "net.ipv4.ip_forward=0");
}

/// <summary>
/// The DR lab without its director: the client talks to the first real server's own address
/// through the lab's router, the path a DR reply takes. The DR row's download (real server →
/// router → client) compares with this one's; only the client's packets (ACKs) differ, which DR
/// sends through lvsd.
/// </summary>
internal sealed class DirectLabRoutedBalancer(DirectReturnLab lab) : Balancer("routed-dr", "no load balancer (DR lab's router)", lab)
{
    public override string Target => Lab.RealServers[0].Address;

    public override bool HasProcess => false;

    // The router forwards from the lab's start; lvsd idles (no traffic to the VIP).
    public override void Start(int processes)
    {
    }

    public override void Stop()
    {
    }
}

/// <summary>The kernel's NAT: nftables DNAT to the real servers in round robin (numgen inc).</summary>
internal sealed class NftDnatBalancer(NatLab lab) : Balancer("nft", "nftables DNAT (kernel)", lab)
{
    private const string Table = "lvsbench";

    public override bool HasProcess => false;

    public override void Start(int processes)
    {
        var map = new StringBuilder();
        for (int i = 0; i < Lab.RealServers.Count; i++)
        {
            map.Append(i == 0 ? "" : ", ").Append(i).Append(" : ").Append(Lab.RealServers[i].Address);
        }

        string script = $$"""
            table ip {{Table}} {
                chain pre {
                    type nat hook prerouting priority dstnat; policy accept;
                    ip daddr {{LabTopology.Vip}} tcp dport { 80, {{BenchLabs.HoldPort}} } dnat to numgen inc mod {{Lab.RealServers.Count}} map { {{map}} }
                    ip daddr {{LabTopology.Vip}} meta l4proto { tcp, udp } th dport {{BenchLabs.IperfPort}} dnat to {{Lab.RealServers[0].Address}}
                }
            }

            """;
        Director("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        Director("nft", "-f", WriteFile("nft-dnat.nft", script));
    }

    public override void Stop()
    {
        Lab.Exec(Lab.DirectorNamespace, "nft", "delete", "table", "ip", Table);
        Director("sysctl", "-q", "-w", "net.ipv4.ip_forward=0");
    }
}
