using Lvs.Core.Services;

namespace Lvs.Daemon.Config;

/// <summary>
/// What loading a configuration file gave: the services to make current, or null with the errors
/// that refused the whole file; warnings either way; and, for keepalived.conf, the parsed document
/// and what the load-balancing part declares beyond <see cref="Configuration"/> (sorry servers,
/// health-check settings, timeouts, the sync daemon) for the features that act on them.
/// </summary>
/// <param name="Configuration">The services, real servers newest first; null when any error was found.</param>
/// <param name="Document">The statement tree of a keepalived.conf (null for an ipvsadm save file or an unreadable file).</param>
public sealed record ConfigLoadResult(
    Configuration? Configuration,
    IReadOnlyList<ConfigDiagnostic> Errors,
    IReadOnlyList<ConfigDiagnostic> Warnings,
    KeepalivedDocument? Document)
{
    public bool Succeeded => Configuration is not null && Errors.Count == 0;

    /// <summary>keepalived's sorry_server of each service that has one (switching to it is the health checker's job).</summary>
    public IReadOnlyDictionary<ServiceKey, SorryServer> SorryServers { get; init; } = new Dictionary<ServiceKey, SorryServer>();

    /// <summary>Health-check settings of each keepalived virtual service, for the checkers to come.</summary>
    public IReadOnlyDictionary<ServiceKey, ServiceHealth> Health { get; init; } = new Dictionary<ServiceKey, ServiceHealth>();

    /// <summary>global_defs lvs_timeouts, or null when absent.</summary>
    public LvsTimeouts? Timeouts { get; init; }

    /// <summary>global_defs lvs_sync_daemon as written (connection sync is a later feature), or null.</summary>
    public KeepalivedNode? SyncDaemon { get; init; }

    /// <summary>"file:line:col: message" lines, errors first, for logs and control replies.</summary>
    public IEnumerable<string> Describe() =>
        Errors.Select(e => $"{e} (error)").Concat(Warnings.Select(w => $"{w} (warning)"));
}

/// <summary>A service's sorry server: takes the traffic when no real server is up (keepalived's quorum).</summary>
/// <param name="Inhibit">sorry_server_inhibit: weight 0 instead of removal when it goes down.</param>
public sealed record SorryServer(InetAddress Address, ushort Port, ForwardMethod Method, TunnelSpec Tunnel, bool Inhibit, SourceLocation Location);

/// <summary>keepalived's health-check settings of a virtual service.</summary>
/// <param name="DelayLoopSeconds">delay_loop: seconds between checks (keepalived's default 60, at least 1).</param>
/// <param name="Statement">The virtual_server statement, with every keyword kept (quorum, alpha, ...).</param>
public sealed record ServiceHealth(int DelayLoopSeconds, IReadOnlyList<RealServerHealth> Servers, KeepalivedNode Statement);

/// <summary>keepalived's health-check settings of a real server.</summary>
/// <param name="InhibitOnFailure">Set the weight to 0 on failure instead of removing the server.</param>
/// <param name="Checkers">Its checker blocks (TCP_CHECK, HTTP_GET, ...) as written.</param>
public sealed record RealServerHealth(InetAddress Address, ushort Port, bool InhibitOnFailure, IReadOnlyList<KeepalivedNode> Checkers, KeepalivedNode Statement);

/// <summary>global_defs lvs_timeouts in seconds (ipvsadm --set); null where not given.</summary>
public sealed record LvsTimeouts(int? TcpSeconds, int? TcpFinSeconds, int? UdpSeconds);
