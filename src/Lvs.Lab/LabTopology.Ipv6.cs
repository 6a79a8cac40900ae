using System.Globalization;

namespace Lvs.Lab;

// The IPv6 half of a dual-stack lab (LabOptions.Ipv6): DESIGN.md's addresses, the VIP as an
// ordinary address on the director, and the service helpers for [VIP6]:80. Interface ids
// mirror IPv4's last octet (203.0.113.11 and 2001:db8:b::11), so a listing reads the same.
public abstract partial class LabTopology
{
    /// <summary>The IPv6 virtual IP (on the director; on the real servers' lo in DR and TUN).</summary>
    public const string Vip6 = "2001:db8:a::1";

    /// <summary>The client's IPv6 address.</summary>
    public const string ClientAddress6 = "2001:db8:c::2";

    /// <summary>The client's IPv6 gateway: the director in NAT, the router in DR and TUN.</summary>
    public const string ClientGateway6 = "2001:db8:c::1";

    /// <summary>The IPv6 service as lvsadm names it: <c>[2001:db8:a::1]:80</c>.</summary>
    public static string Vip6Service => $"[{Vip6}]:{ServicePort}";

    /// <summary>The IPv6 UDP service as lvsadm names it: <c>[2001:db8:a::1]:53</c>.</summary>
    public static string Vip6DnsService => $"[{Vip6}]:{DnsPort}";

    /// <summary>The URL of <paramref name="path"/> on the IPv6 VIP: <c>http://[2001:db8:a::1]/big</c>.</summary>
    public static string Vip6Url(string path = "/") => $"http://[{Vip6}]{path}";

    /// <summary>The director's IPv6 address the client reaches with the kernel alone (see <see cref="DirectorProbeAddress"/>).</summary>
    private protected abstract string DirectorProbeAddress6 { get; }

    /// <summary>
    /// Adds the TCP service [VIP6]:80 with <paramref name="scheduler"/> and the first
    /// <c>weights.Length</c> real servers' IPv6 addresses, with those weights, in this lab's
    /// forwarding method.
    /// </summary>
    /// <exception cref="InvalidOperationException">The lab is IPv4 only.</exception>
    /// <exception cref="LabException">lvsadm refused a command (e.g. an lvsd without IPv6).</exception>
    public void AddService6(string scheduler, params int[] weights)
    {
        RequireIpv6();
        Lvsadm("-A", "-t", Vip6Service, "-s", scheduler).EnsureSuccess();
        foreach (var (rs, weight) in RealServers.Zip(weights))
        {
            Lvsadm(["-a", "-t", Vip6Service, .. RealServerArgs6(rs), "-w", weight.ToString(CultureInfo.InvariantCulture)])
                .EnsureSuccess();
        }
    }

    /// <summary>The IPv6 service's counters from <c>lvsadm -L -n --stats --exact</c>.</summary>
    /// <exception cref="LabException">lvsadm failed.</exception>
    /// <exception cref="FormatException">The service is not listed.</exception>
    public ServiceStats ReadServiceStats6() =>
        ServiceStats.Parse(Lvsadm("-L", "-n", "--stats", "--exact").EnsureSuccess().Stdout, "TCP", Vip6Service);

    /// <summary>The lvsadm arguments after <c>-a -t [VIP6]:80</c> that add <paramref name="rs"/> by its IPv6 address (without -w).</summary>
    private protected abstract string[] RealServerArgs6(RealServer rs);

    /// <summary><paramref name="rs"/>'s IPv6 address and the service port as lvsadm writes them: <c>[fd00::11]:80</c>.</summary>
    private protected static string Bracketed(RealServer rs, int port) =>
        $"[{rs.Address6 ?? throw new InvalidOperationException($"{rs.Name} has no IPv6 address")}]:{port}";

    /// <summary>Adds <paramref name="address"/> (with its prefix length) to <paramref name="dev"/>, usable at once (nodad).</summary>
    private protected void Addr6(string ns, string address, string dev) =>
        Ip(ns, "-6", "addr", "add", address, "dev", dev, "nodad");

    /// <summary>Adds an IPv6 route <paramref name="destination"/> via <paramref name="gateway"/>.</summary>
    private protected void Route6(string ns, string destination, string gateway) =>
        Ip(ns, "-6", "route", "add", destination, "via", gateway);

    private void RequireIpv6()
    {
        if (!Ipv6)
        {
            throw new InvalidOperationException("this lab was built without IPv6 (LabOptions.Ipv6 = false)");
        }
    }
}
