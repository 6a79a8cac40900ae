namespace Lvs.Lab;

/// <summary>
/// The NAT topology of DESIGN.md: the director is the real servers' gateway, so replies come
/// back through it and it rewrites both directions.
/// <code>
///  client eth0 198.51.100.2 ── eth0 director (198.51.100.1, VIP 192.0.2.10/32)
///                                  eth1 10.0.0.1 ── br0 in lan ── eth0 rs1 10.0.0.11
///                                                              └─ eth0 rs2 10.0.0.12 ...
/// </code>
/// Dual stack (<see cref="LabOptions.Ipv6"/>): client 2001:db8:c::2/64 (default via
/// 2001:db8:c::1), director 2001:db8:c::1/64 and VIP 2001:db8:a::1/128 on eth0, fd00::1/64 on
/// eth1, real servers fd00::11, fd00::12, ... /64 (default via fd00::1).
/// </summary>
public sealed class NatLab : LabTopology
{
    /// <summary>The director's address towards the client (the client's gateway).</summary>
    public const string DirectorOutsideAddress = ClientGateway;

    /// <summary>The director's address towards the real servers (their gateway).</summary>
    public const string DirectorInsideAddress = "10.0.0.1";

    /// <summary>The director's IPv6 address towards the client (the client's IPv6 gateway).</summary>
    public const string DirectorOutsideAddress6 = ClientGateway6;

    /// <summary>The director's IPv6 address towards the real servers (their IPv6 gateway).</summary>
    public const string DirectorInsideAddress6 = "fd00::1";

    private NatLab(string prefix, string tempDirectory, Action<string>? log)
        : base(prefix, tempDirectory, log)
    {
        LanNamespace = prefix + "-lan";
    }

    /// <inheritdoc/>
    public override ForwardingMethod Method => ForwardingMethod.Nat;

    /// <summary>The namespace holding the bridge br0 of the private LAN.</summary>
    public string LanNamespace { get; }

    private protected override string DirectorProbeAddress => DirectorOutsideAddress;

    private protected override string DirectorProbeAddress6 => DirectorOutsideAddress6;

    /// <summary>Builds the topology and starts nginx on every real server. Cleans up if any step fails.</summary>
    /// <exception cref="LabException">A step failed; the message has the command's output.</exception>
    public static NatLab Create(LabOptions? options = null) =>
        Create(options, (prefix, temp, log) => new NatLab(prefix, temp, log));

    private protected override string[] RealServerArgs(RealServer rs) => ["-r", $"{rs.Address}:{ServicePort}", "-m"];

    private protected override string[] RealServerArgs6(RealServer rs) => ["-r", Bracketed(rs, ServicePort), "-m"];

    private protected override void Build(LabOptions options)
    {
        Log($"building NAT lab {Prefix} with {options.RealServerCount} real servers");
        var servers = DefineRealServers(options.RealServerCount, "10.0.0", "fd00::");
        foreach (string ns in new[] { ClientNamespace, DirectorNamespace, LanNamespace }.Concat(servers.Select(s => s.Namespace)))
        {
            AddNamespace(ns);
        }

        Veth(ClientNamespace, "eth0", DirectorNamespace, "eth0");
        Veth(DirectorNamespace, "eth1", LanNamespace, "director");
        Ip(LanNamespace, "link", "add", "br0", "type", "bridge");
        Ip(LanNamespace, "link", "set", "director", "master", "br0");
        Ip(LanNamespace, "link", "set", "director", "up");
        foreach (var rs in servers)
        {
            Veth(rs.Namespace, "eth0", LanNamespace, rs.Name);
            Ip(LanNamespace, "link", "set", rs.Name, "master", "br0");
            Ip(LanNamespace, "link", "set", rs.Name, "up");
        }

        Ip(LanNamespace, "link", "set", "br0", "up");

        Ip(ClientNamespace, "addr", "add", ClientAddress + "/24", "dev", "eth0");
        Ip(ClientNamespace, "link", "set", "eth0", "up");
        Ip(ClientNamespace, "route", "add", "default", "via", DirectorOutsideAddress);

        Ip(DirectorNamespace, "addr", "add", DirectorOutsideAddress + "/24", "dev", "eth0");
        Ip(DirectorNamespace, "addr", "add", Vip + "/32", "dev", "eth0");
        Ip(DirectorNamespace, "addr", "add", DirectorInsideAddress + "/24", "dev", "eth1");
        Ip(DirectorNamespace, "link", "set", "eth0", "up");
        Ip(DirectorNamespace, "link", "set", "eth1", "up");
        // lvsd forwards in user space; the kernel must not forward anything by itself.
        Sysctl(DirectorNamespace, "net.ipv4.ip_forward=0");

        foreach (var rs in servers)
        {
            Ip(rs.Namespace, "addr", "add", rs.Address + "/24", "dev", "eth0");
            Ip(rs.Namespace, "link", "set", "eth0", "up");
            Ip(rs.Namespace, "route", "add", "default", "via", DirectorInsideAddress);
        }

        if (Ipv6)
        {
            BuildIpv6(servers);
        }

        StartServers(options);
    }

    // After the links are up: an IPv6 route needs its interface up to be accepted.
    private void BuildIpv6(IReadOnlyList<RealServer> servers)
    {
        Addr6(ClientNamespace, ClientAddress6 + "/64", "eth0");
        Route6(ClientNamespace, "default", DirectorOutsideAddress6);

        Addr6(DirectorNamespace, DirectorOutsideAddress6 + "/64", "eth0");
        Addr6(DirectorNamespace, Vip6 + "/128", "eth0");
        Addr6(DirectorNamespace, DirectorInsideAddress6 + "/64", "eth1");
        Sysctl(DirectorNamespace, "net.ipv6.conf.all.forwarding=0");

        foreach (var rs in servers)
        {
            Addr6(rs.Namespace, rs.Address6 + "/64", "eth0");
            Route6(rs.Namespace, "default", DirectorInsideAddress6);
        }
    }

    private protected override IEnumerable<(string Ns, string Dev)> TrafficInterfaces() =>
        new[] { (ClientNamespace, "eth0"), (DirectorNamespace, "eth0"), (DirectorNamespace, "eth1") }
            .Concat(RealServers.Select(s => (s.Namespace, "eth0")));
}
