using System.Globalization;

namespace Lvs.Lab;

/// <summary>
/// The IP-tunnelling topology: the real servers live on another network than the director.
/// The director wraps each client packet (IPIP, GUE or GRE) towards a real server through the
/// router; the real server's lvs-agent unwraps it and the reply, from the VIP, goes straight
/// from the real servers' network to the client.
/// <code>
///  client eth0 198.51.100.2 ── eth0 router 198.51.100.1  (rp_filter 0; route 192.0.2.10/32 via 192.0.2.2)
///                                  eth1 192.0.2.1 ──────── eth0 director 192.0.2.2 + VIP/32 (default via 192.0.2.1)
///                                  eth2 203.0.113.1 ── br0 in lan ── eth0 rs1 203.0.113.11 (VIP on lo)
///                                                                 └─ eth0 rs2 203.0.113.12 ...
/// </code>
/// Dual stack: router 2001:db8:a::fe and director 2001:db8:a::2 (+ VIP 2001:db8:a::1/128) on
/// the director's link, the router routing the IPv6 VIP to the director; with IPIP the agents
/// also take the IPv6 VIP and decapsulate ip6ip6.
/// All links have MTU 1500, so a full-size client packet no longer fits once wrapped: the
/// director must answer it with ICMP fragmentation-needed.
/// </summary>
public sealed class TunLab : DirectReturnLab
{
    /// <summary>The director's address on its own network (the outer source of the tunnel).</summary>
    public const string DirectorAddress = "192.0.2.2";

    /// <summary>The router's address on the director's network (the director's gateway).</summary>
    public const string RouterDirectorSideAddress = "192.0.2.1";

    /// <summary>The UDP port GUE uses on both sides (lvsadm --tun-port, lvs-agent --port).</summary>
    public const int GuePort = 6080;

    /// <summary>The director's IPv6 address on its own network (the outer source of ip6ip6).</summary>
    public const string DirectorAddress6 = "2001:db8:a::2";

    /// <summary>The router's IPv6 address on the director's network (the director's IPv6 gateway).</summary>
    public const string RouterDirectorSideAddress6 = "2001:db8:a::fe";

    private TunLab(string prefix, string tempDirectory, Action<string>? log, TunnelType tunnel)
        : base(prefix, tempDirectory, log)
    {
        Tunnel = tunnel;
    }

    /// <inheritdoc/>
    public override ForwardingMethod Method => ForwardingMethod.Tun;

    /// <summary>The encapsulation the service and the agents use.</summary>
    public TunnelType Tunnel { get; }

    /// <summary>The tunnel type as lvsadm and lvs-agent spell it (ipip, gue, gre).</summary>
    public string TunnelName => Tunnel.ToString().ToLowerInvariant();

    /// <inheritdoc/>
    public override IReadOnlyList<string> AgentArgs =>
        Tunnel == TunnelType.Gue
            ? ["tunnel", "--vip", Vip, "--type", TunnelName, "--port", GuePort.ToString(CultureInfo.InvariantCulture)]
            : ["tunnel", .. VipArgs(CarriesIpv6), "--type", TunnelName];

    /// <summary>
    /// True for IPIP, whose agent decapsulates IPv6 (ip6ip6); lvs-agent refuses IPv6 VIPs for
    /// GUE and GRE, so those labs' agents serve the IPv4 VIP only.
    /// </summary>
    public bool CarriesIpv6 => Tunnel == TunnelType.Ipip;

    private protected override string RouterServerSideDevice => "eth2";

    private protected override string DirectorProbeAddress => DirectorAddress;

    private protected override string DirectorProbeAddress6 => DirectorAddress6;

    /// <summary>
    /// Builds the topology for <paramref name="tunnel"/> and starts nginx on every real server
    /// (no agents yet). Cleans up if any step fails.
    /// </summary>
    /// <exception cref="LabException">A step failed; the message has the command's output.</exception>
    public static TunLab Create(LabOptions? options = null, TunnelType tunnel = TunnelType.Ipip) =>
        Create(options, (prefix, temp, log) => new TunLab(prefix, temp, log, tunnel));

    private protected override string[] RealServerArgs(RealServer rs) =>
        Tunnel == TunnelType.Gue
            ? ["-r", rs.Address, "-i", "--tun-type", TunnelName, "--tun-port", GuePort.ToString(CultureInfo.InvariantCulture)]
            : ["-r", rs.Address, "-i", "--tun-type", TunnelName];

    // The port is the service's, as ipvsadm forces it for -i; written out because an IPv6
    // literal needs its brackets anyway.
    private protected override string[] RealServerArgs6(RealServer rs) => ["-r", Bracketed(rs, ServicePort), "-i", "--tun-type", TunnelName];

    // Without the kernel's tunnel modules the agent decapsulates through its TUN device; it is
    // ready once that device is up. With the modules it uses the kernel's device instead.
    private protected override bool AgentReady(RealServer rs)
    {
        var tun = Exec(rs.Namespace, "ip", "-o", "link", "show", "dev", "lvstun0");
        return !tun.Succeeded || tun.Stdout.Contains(",UP", StringComparison.Ordinal) || tun.Stdout.Contains("<UP", StringComparison.Ordinal);
    }

    private protected override void Build(LabOptions options)
    {
        Log($"building TUN ({TunnelName}) lab {Prefix} with {options.RealServerCount} real servers");
        AddNamespaces(options.RealServerCount);
        BuildClientSide();
        BuildServerLan();

        Veth(RouterNamespace, "eth1", DirectorNamespace, "eth0");
        Ip(RouterNamespace, "addr", "add", RouterDirectorSideAddress + "/24", "dev", "eth1");
        Ip(RouterNamespace, "link", "set", "eth1", "up");
        // The /24 would reach the VIP by ARP too; the route says who owns it.
        Ip(RouterNamespace, "route", "add", Vip + "/32", "via", DirectorAddress);
        // Replies from the VIP arrive from the real servers' network, not the VIP's.
        Sysctl(RouterNamespace, "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
            "net.ipv4.conf.eth0.rp_filter=0", "net.ipv4.conf.eth1.rp_filter=0", "net.ipv4.conf.eth2.rp_filter=0");

        Ip(DirectorNamespace, "addr", "add", DirectorAddress + "/24", "dev", "eth0");
        Ip(DirectorNamespace, "addr", "add", Vip + "/32", "dev", "eth0");
        Ip(DirectorNamespace, "link", "set", "eth0", "up");
        Ip(DirectorNamespace, "route", "add", "default", "via", RouterDirectorSideAddress);
        Sysctl(DirectorNamespace, "net.ipv4.ip_forward=0");
        if (Ipv6)
        {
            // IPv6 has no rp_filter: the router passes the asymmetric replies as they are.
            Addr6(RouterNamespace, RouterDirectorSideAddress6 + "/64", "eth1");
            Route6(RouterNamespace, Vip6 + "/128", DirectorAddress6);
            Addr6(DirectorNamespace, DirectorAddress6 + "/64", "eth0");
            Addr6(DirectorNamespace, Vip6 + "/128", "eth0");
            Route6(DirectorNamespace, "default", RouterDirectorSideAddress6);
            Sysctl(DirectorNamespace, "net.ipv6.conf.all.forwarding=0");
        }

        InstallReplyCounter(excludeMac: null);
        StartServers(options);
    }

    private protected override IEnumerable<(string Ns, string Dev)> TrafficInterfaces() =>
        new[]
        {
            (ClientNamespace, "eth0"), (RouterNamespace, "eth0"), (RouterNamespace, "eth1"), (RouterNamespace, "eth2"),
            (DirectorNamespace, "eth0"),
        }.Concat(RealServers.Select(s => (s.Namespace, "eth0")));
}

/// <summary>The encapsulations of lvsadm's <c>--tun-type</c>.</summary>
public enum TunnelType
{
    /// <summary>IP in IP (protocol 4), ip_vs's default.</summary>
    Ipip,

    /// <summary>Generic UDP Encapsulation: UDP to a configured port, a 4-byte GUE header, then the IP packet.</summary>
    Gue,

    /// <summary>GRE (protocol 47) carrying IPv4.</summary>
    Gre,
}
