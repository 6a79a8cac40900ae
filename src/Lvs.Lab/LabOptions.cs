namespace Lvs.Lab;

/// <summary>How to build a lab (<see cref="NatLab"/>, <see cref="DrLab"/>, <see cref="TunLab"/>).</summary>
public sealed record LabOptions
{
    /// <summary>Number of real servers (rs1 .. rsN at .11, .12, ... of their network), 1 to 200.</summary>
    public int RealServerCount { get; init; } = 2;

    /// <summary>A file every real server serves at <c>/big</c>; none when null.</summary>
    public string? BigFile { get; init; }

    /// <summary>
    /// Turns TSO/GSO/TX checksum offload off on every veth (ethtool). Only for debugging: the
    /// director must cope with partial checksums and GSO frames, and this hides them.
    /// </summary>
    public bool DisableOffloads { get; init; }

    /// <summary>
    /// Dual stack: IPv6 addresses (DESIGN.md's 2001:db8:c::/64, 2001:db8:a::/64, 2001:db8:b::/64,
    /// NAT's fd00::/64), routes and nginx on [::]:80 next to the IPv4 ones. Off only for a host
    /// whose kernel has IPv6 disabled.
    /// </summary>
    public bool Ipv6 { get; init; } = true;

    /// <summary>
    /// For <see cref="LabSetup.CreateAndStart"/> (<c>lvs-lab up|demo --ipv6</c>): also add the
    /// service [2001:db8:a::1]:80 over the real servers' IPv6 addresses. Needs an lvsd that
    /// forwards IPv6 and <see cref="Ipv6"/>.
    /// </summary>
    public bool Ipv6Service { get; init; }

    /// <summary>How long to wait after building before traffic (fresh namespaces need 1-2 s).</summary>
    public TimeSpan SettleTime { get; init; } = TimeSpan.FromSeconds(1.5);

    /// <summary>lvsd serves its dashboard and /metrics on <see cref="LabTopology.WebSocketPath"/> (demo and up).</summary>
    public bool Web { get; init; }

    /// <summary>Progress messages (one line each); ignored when null.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>One real server of the lab.</summary>
/// <param name="Name">rs1, rs2, ...; also the body it answers <c>/</c> with.</param>
/// <param name="Namespace">Its network namespace.</param>
/// <param name="Address">Its address (10.0.0.11, ... in NAT; 203.0.113.11, ... in DR and TUN).</param>
public sealed record RealServer(string Name, string Namespace, string Address)
{
    /// <summary>Its IPv6 address (fd00::11, ... in NAT; 2001:db8:b::11, ... in DR and TUN), or null in an IPv4-only lab.</summary>
    public string? Address6 { get; init; }
}
