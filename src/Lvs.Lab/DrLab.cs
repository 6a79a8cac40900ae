namespace Lvs.Lab;

/// <summary>
/// The direct-routing topology: the director and the real servers share one bridge, the client
/// sits behind a router. The director changes only the destination MAC; each real server holds
/// the VIP on lo (lvs-agent dr) and replies straight to the router.
/// <code>
///  client eth0 198.51.100.2 ── eth0 router 198.51.100.1      (route 192.0.2.10/32 via 203.0.113.2)
///                                  eth1 203.0.113.1 ── br0 in lan ── eth0 director 203.0.113.2 + VIP/32
///                                                               ├─ eth0 rs1 203.0.113.11 (VIP on lo)
///                                                               └─ eth0 rs2 203.0.113.12 (VIP on lo) ...
/// </code>
/// Dual stack: the router routes 2001:db8:a::1/128 via the director's 2001:db8:b::2, which also
/// holds that VIP (/128 nodad); the agents put it on lo next to the IPv4 VIP.
/// </summary>
public sealed class DrLab : DirectReturnLab
{
    /// <summary>The director's address on the shared LAN (the router's next hop for the VIP).</summary>
    public const string DirectorAddress = "203.0.113.2";

    /// <summary>The director's IPv6 address on the shared LAN (the router's next hop for the IPv6 VIP).</summary>
    public const string DirectorAddress6 = "2001:db8:b::2";

    private DrLab(string prefix, string tempDirectory, Action<string>? log)
        : base(prefix, tempDirectory, log)
    {
    }

    /// <inheritdoc/>
    public override ForwardingMethod Method => ForwardingMethod.Dr;

    /// <inheritdoc/>
    public override IReadOnlyList<string> AgentArgs => ["dr", .. VipArgs(carriesIpv6: true)];

    private protected override string RouterServerSideDevice => "eth1";

    private protected override string DirectorProbeAddress => DirectorAddress;

    private protected override string DirectorProbeAddress6 => DirectorAddress6;

    /// <summary>Builds the topology and starts nginx on every real server (no agents yet). Cleans up if any step fails.</summary>
    /// <exception cref="LabException">A step failed; the message has the command's output.</exception>
    public static DrLab Create(LabOptions? options = null) =>
        Create(options, (prefix, temp, log) => new DrLab(prefix, temp, log));

    // ipvsadm forces a DR server's port to the service's; lvsadm is given it explicitly.
    private protected override string[] RealServerArgs(RealServer rs) => ["-r", $"{rs.Address}:{ServicePort}", "-g"];

    private protected override string[] RealServerArgs6(RealServer rs) => ["-r", Bracketed(rs, ServicePort), "-g"];

    private protected override void Build(LabOptions options)
    {
        Log($"building DR lab {Prefix} with {options.RealServerCount} real servers");
        AddNamespaces(options.RealServerCount);
        BuildClientSide();
        BuildServerLan();
        Ip(RouterNamespace, "route", "add", Vip + "/32", "via", DirectorAddress);

        AttachToBridge(DirectorNamespace, "eth0", "director");
        Ip(DirectorNamespace, "addr", "add", DirectorAddress + "/24", "dev", "eth0");
        Ip(DirectorNamespace, "addr", "add", Vip + "/32", "dev", "eth0");
        Ip(DirectorNamespace, "link", "set", "eth0", "up");
        // Only for the director's own traffic (ICMP it originates); lvsd forwards, not the kernel.
        Ip(DirectorNamespace, "route", "add", "default", "via", RouterServerSideAddress);
        Sysctl(DirectorNamespace, "net.ipv4.ip_forward=0");
        if (Ipv6)
        {
            Route6(RouterNamespace, Vip6 + "/128", DirectorAddress6);
            Addr6(DirectorNamespace, DirectorAddress6 + "/64", "eth0");
            Addr6(DirectorNamespace, Vip6 + "/128", "eth0");
            Route6(DirectorNamespace, "default", RouterServerSideAddress6);
            Sysctl(DirectorNamespace, "net.ipv6.conf.all.forwarding=0");
        }

        InstallReplyCounter(excludeMac: MacOf(DirectorNamespace, "eth0"));
        StartServers(options);
    }

    private protected override IEnumerable<(string Ns, string Dev)> TrafficInterfaces() =>
        new[] { (ClientNamespace, "eth0"), (RouterNamespace, "eth0"), (RouterNamespace, "eth1"), (DirectorNamespace, "eth0") }
            .Concat(RealServers.Select(s => (s.Namespace, "eth0")));
}
