using System.Net;

namespace Lvs.Linux.Steering;

/// <summary>Transport protocols a steering rule matches.</summary>
public enum SteeringProtocol
{
    Tcp,
    Udp,
    Sctp,
}

/// <summary>An address, protocol and port; port 0 means every port of that protocol (IPVS "persistent, port 0").</summary>
public readonly record struct SteeredEndpoint(IPAddress Address, SteeringProtocol Protocol, ushort Port);

/// <summary>
/// What the kernel must hand to lvsd instead of handling itself, on which devices.
/// </summary>
public sealed record SteeringSpec
{
    /// <summary>The served devices; each gets one ingress chain.</summary>
    public required IReadOnlyList<string> Devices { get; init; }

    /// <summary>Virtual services: traffic to these is dropped at ingress (lvsd's packet socket already has it).</summary>
    public IReadOnlyList<SteeredEndpoint> Services { get; init; } = [];

    /// <summary>
    /// NAT real servers: their replies are dropped at ingress (lvsd rewrites them), except those
    /// addressed to the director itself (<see cref="LocalAddresses"/>), e.g. its health checks.
    /// </summary>
    public IReadOnlyList<SteeredEndpoint> NatRealServers { get; init; } = [];

    /// <summary>The director's own addresses (sets local4 / local6).</summary>
    public IReadOnlyList<IPAddress> LocalAddresses { get; init; } = [];

    /// <summary>What of the client the worker fanout hashes (masked by persistence when persistent services exist).</summary>
    public Lvs.Linux.PacketIO.Fanout.FanoutKey FanoutKey { get; init; } = Lvs.Linux.PacketIO.Fanout.FanoutKey.Connection;

    /// <summary>Traffic of fwmark services: what the operator's marking rules match (<see cref="FwmarkRules"/>).</summary>
    public IReadOnlyList<MarkRule> MarkedTraffic { get; init; } = [];
}
