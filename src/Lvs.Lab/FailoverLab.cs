namespace Lvs.Lab;

/// <summary>
/// Two directors that fail over with VRRP and connection sync (issue 7), in NAT or DR.
/// NAT: both sit on the client-side bridge and on the real servers' bridge; a keepalived sync
/// group VG1 moves the VIP (VI_OUT, 192.0.2.10 on eth0) and the real servers' gateway (VI_IN,
/// 10.0.0.1 on eth1) together; <c>lvs_sync_daemon eth1 VI_OUT</c> syncs connections over the
/// server-side bridge.
/// <code>
///  client eth0 198.51.100.2 ── br0 in out ─┬─ eth0 d1 198.51.100.11  (VI_OUT: VIP 192.0.2.10/32)
///  (192.0.2.0/24 on-link)                  └─ eth0 d2 198.51.100.12
///                   d1 eth1 10.0.0.2 ─┬─ br0 in lan ─┬─ eth0 rs1 10.0.0.11 (default via 10.0.0.1)
///                   d2 eth1 10.0.0.3 ─┘              └─ eth0 rs2 10.0.0.12
///                   (VI_IN: gateway 10.0.0.1/32 on eth1; sync: 224.0.0.81:8848 on eth1)
/// </code>
/// The client reaches the VIP on-link, so a takeover is seen through the new master's gratuitous
/// ARP, as on a real LAN. DR: see <see cref="BuildDr"/>. d1 is <see cref="LabTopology.DirectorNamespace"/>.
/// </summary>
public sealed partial class FailoverLab : LabTopology
{
    /// <summary>The real servers' default gateway, a VRRP address (VI_IN).</summary>
    public const string InsideGateway = "10.0.0.1";

    private FailoverLab(ForwardingMethod method, string prefix, string tempDirectory, Action<string>? log)
        : base(prefix, tempDirectory, log)
    {
        Method = method;
        OutsideNamespace = prefix + (method == ForwardingMethod.Nat ? "-out" : "-router");
        LanNamespace = prefix + "-lan";
        Directors =
        [
            new FailoverDirector("d1", DirectorNamespace, method == ForwardingMethod.Nat ? "198.51.100.11" : "203.0.113.2", "10.0.0.2",
                Path.Combine(tempDirectory, "d1.sock")),
            new FailoverDirector("d2", prefix + "-director2", method == ForwardingMethod.Nat ? "198.51.100.12" : "203.0.113.3", "10.0.0.3",
                Path.Combine(tempDirectory, "d2.sock")),
        ];
    }

    /// <inheritdoc/>
    public override ForwardingMethod Method { get; }

    /// <summary>NAT: the namespace holding the client-side bridge; DR: the router.</summary>
    public string OutsideNamespace { get; }

    /// <summary>The namespace holding the real servers' bridge.</summary>
    public string LanNamespace { get; }

    /// <summary>d1 (priority 150) and d2 (priority 100).</summary>
    public IReadOnlyList<FailoverDirector> Directors { get; }

    private protected override string DirectorProbeAddress => Directors[0].OutsideAddress;

    /// <summary>
    /// Builds the topology for <paramref name="method"/> (NAT or DR) and starts nginx on every
    /// real server, and in DR lvs-agent too (no lvsd yet). Cleans up if any step fails.
    /// </summary>
    /// <exception cref="LabException">A step failed; the message has the command's output.</exception>
    public static FailoverLab Create(ForwardingMethod method, LabOptions? options = null) => method is ForwardingMethod.Nat or ForwardingMethod.Dr
        ? Create((options ?? new LabOptions()) with { Ipv6 = false }, (prefix, temp, log) => new FailoverLab(method, prefix, temp, log))
        : throw new ArgumentOutOfRangeException(nameof(method), method, "NAT or DR");

    private protected override string[] RealServerArgs(RealServer rs) =>
        ["-r", $"{rs.Address}:{ServicePort}", Method == ForwardingMethod.Nat ? "-m" : "-g"];

    // The failover lab is IPv4 only (Create turns LabOptions.Ipv6 off), so these are never asked for.
    private protected override string DirectorProbeAddress6 => throw new NotSupportedException("the failover lab is IPv4 only");

    private protected override string[] RealServerArgs6(RealServer rs) => throw new NotSupportedException("the failover lab is IPv4 only");

    private protected override void Build(LabOptions options)
    {
        if (Method == ForwardingMethod.Dr)
        {
            BuildDr(options);
            return;
        }

        Log($"building failover lab {Prefix} with {options.RealServerCount} real servers");
        var servers = DefineRealServers(options.RealServerCount, "10.0.0", "fd00::");
        var all = new[] { ClientNamespace, OutsideNamespace, LanNamespace }
            .Concat(Directors.Select(d => d.Namespace))
            .Concat(servers.Select(s => s.Namespace));
        foreach (string ns in all)
        {
            AddNamespace(ns);
        }

        foreach (string bridgeNs in new[] { OutsideNamespace, LanNamespace })
        {
            // No IGMP snooping: the sync group's multicast must reach the peer whatever the querier state.
            Ip(bridgeNs, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
            Ip(bridgeNs, "link", "set", "br0", "up");
        }

        Attach(ClientNamespace, "eth0", OutsideNamespace, "client");
        Ip(ClientNamespace, "addr", "add", ClientAddress + "/24", "dev", "eth0");
        Ip(ClientNamespace, "link", "set", "eth0", "up");
        Ip(ClientNamespace, "route", "add", "192.0.2.0/24", "dev", "eth0");

        foreach (var d in Directors)
        {
            Attach(d.Namespace, "eth0", OutsideNamespace, d.Name);
            Attach(d.Namespace, "eth1", LanNamespace, d.Name);
            Ip(d.Namespace, "addr", "add", d.OutsideAddress + "/24", "dev", "eth0");
            Ip(d.Namespace, "addr", "add", d.InsideAddress + "/24", "dev", "eth1");
            Ip(d.Namespace, "link", "set", "eth0", "up");
            Ip(d.Namespace, "link", "set", "eth1", "up");
            // lvsd forwards in user space; the kernel must not forward anything by itself.
            Sysctl(d.Namespace, "net.ipv4.ip_forward=0");
        }

        foreach (var rs in servers)
        {
            Attach(rs.Namespace, "eth0", LanNamespace, rs.Name);
            Ip(rs.Namespace, "addr", "add", rs.Address + "/24", "dev", "eth0");
            Ip(rs.Namespace, "link", "set", "eth0", "up");
            Ip(rs.Namespace, "route", "add", "default", "via", InsideGateway);
        }

        StartServers(options);
    }

    private protected override IEnumerable<(string Ns, string Dev)> TrafficInterfaces() =>
        (Method == ForwardingMethod.Nat ? new[] { (ClientNamespace, "eth0") } : [(ClientNamespace, "eth0"), (OutsideNamespace, "eth0"), (OutsideNamespace, "eth1")])
            .Concat(Directors.SelectMany(d => Method == ForwardingMethod.Nat ? new[] { (d.Namespace, "eth0"), (d.Namespace, "eth1") } : [(d.Namespace, "eth0")]))
            .Concat(RealServers.Select(s => (s.Namespace, "eth0")));

    private void Attach(string ns, string dev, string bridgeNs, string port)
    {
        Veth(ns, dev, bridgeNs, port);
        Ip(bridgeNs, "link", "set", port, "master", "br0");
        Ip(bridgeNs, "link", "set", port, "up");
    }
}

/// <summary>One director of the <see cref="FailoverLab"/>.</summary>
/// <param name="Name">d1 or d2.</param>
/// <param name="Namespace">Its network namespace.</param>
/// <param name="OutsideAddress">Its own address on eth0: NAT the client-side bridge, DR the shared LAN.</param>
/// <param name="InsideAddress">NAT: its own address on the real servers' bridge (eth1); unused in DR.</param>
/// <param name="ControlPath">Its lvsd control socket.</param>
public sealed record FailoverDirector(string Name, string Namespace, string OutsideAddress, string InsideAddress, string ControlPath);
