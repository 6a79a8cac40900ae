using Lvs.Contracts;

namespace Lvs.Daemon.Web;

/// <summary>
/// Health-check state per real server, read-only, for /metrics and the dashboard. The health
/// checkers implement it; without one lvsd publishes no health series (never a made-up "up").
/// </summary>
public interface IHealthSource
{
    /// <summary>The current state of every checked real server; called from web threads.</summary>
    IReadOnlyList<ServerHealth> Health();
}

/// <summary>VRRP instances' state, read-only; implemented by the VRRP code.</summary>
public interface IVrrpSource
{
    IReadOnlyList<VrrpInstanceStatus> Instances();
}

/// <summary>Connection synchronisation counters, read-only; implemented by the sync daemon.</summary>
public interface ISyncSource
{
    /// <summary>The counters, or null while no sync daemon runs (then the series and panel are absent).</summary>
    SyncCounters? Counters();
}

/// <summary>One real server's health as its checker last saw it.</summary>
/// <param name="Service">The virtual service the server belongs to.</param>
/// <param name="Address">The real server's address, as in <see cref="RealServerStatus.Address"/>.</param>
/// <param name="Port">The real server's port.</param>
/// <param name="Up">True when the checker considers it alive.</param>
/// <param name="Checker">The checker's kind (TCP_CHECK, HTTP_GET, ...), for display.</param>
public sealed record ServerHealth(ServiceKey Service, string Address, ushort Port, bool Up, string? Checker = null);

/// <summary>One VRRP instance.</summary>
/// <param name="Instance">The vrrp_instance name.</param>
/// <param name="VirtualRouterId">The VRID, 1..255.</param>
/// <param name="State">"INIT", "BACKUP", "MASTER" or "FAULT".</param>
/// <param name="Priority">The effective priority.</param>
public sealed record VrrpInstanceStatus(string Instance, int VirtualRouterId, string State, int Priority)
{
    /// <summary>The states a VRRP instance can be in, as keepalived names them.</summary>
    public static readonly IReadOnlyList<string> States = ["INIT", "BACKUP", "MASTER", "FAULT"];
}

/// <summary>Connection sync messages (ip_vs's sync daemon) since start.</summary>
public sealed record SyncCounters(ulong Sent, ulong Received, ulong Dropped);
