using System.Net;

namespace Lvs.Health;

/// <summary>
/// One configuration block as written (a keepalived checker block such as <c>TCP_CHECK { ... }</c>),
/// family-neutral. A keyword line <c>connect_port 80</c> is a block named <c>connect_port</c> with
/// arguments <c>["80"]</c> and no children; <c>url { path / }</c> is a block with children.
/// </summary>
/// <param name="Name">The keyword, e.g. <c>HTTP_GET</c> or <c>connect_timeout</c>.</param>
/// <param name="Arguments">The words after the keyword on its line.</param>
/// <param name="Children">The lines inside its braces, if any.</param>
/// <param name="Location">Where it was written ("file:line:column"), used as the prefix of errors.</param>
public sealed record HealthBlock(string Name, IReadOnlyList<string> Arguments, IReadOnlyList<HealthBlock> Children, string Location);

/// <summary>Where a check goes by default: the real server's address and port (connect_ip/connect_port override).</summary>
public readonly record struct CheckTarget(IPAddress Address, ushort Port);

/// <summary>Outcome of one attempt.</summary>
/// <param name="Up">Whether the attempt passed.</param>
/// <param name="Reason">Why, in a few words (logged on transitions).</param>
/// <param name="Weight">MISC_CHECK with misc_dynamic: the new absolute weight (exit code - 2); null = unchanged.</param>
public readonly record struct CheckResult(bool Up, string Reason, int? Weight = null)
{
    /// <summary>AGENT_CHECK only: the parsed agent reply (null for every other checker, and when the agent gave no valid reply).</summary>
    public AgentReport? Agent { get; init; }
}

/// <summary>
/// One checker (one per keepalived block). <see cref="RunAsync"/> makes ONE attempt; it honours
/// <c>ct</c> and its own connect_timeout, and reports failures as a result rather than an exception
/// (only cancellation by <c>ct</c> throws).
/// </summary>
public interface IHealthCheck
{
    /// <summary>The block keyword, e.g. <c>TCP_CHECK</c>.</summary>
    string Kind { get; }

    /// <summary>The checker's schedule and retry rules.</summary>
    CheckTiming Timing { get; }

    /// <summary>Makes one attempt.</summary>
    Task<CheckResult> RunAsync(CancellationToken ct);
}

/// <summary>A checker's schedule (keepalived names in brackets).</summary>
/// <param name="DelayLoop">Time between checks [delay_loop, per checker or inherited from the virtual server].</param>
/// <param name="Retry">Failed attempts retried before the checker is declared down [retry, alias nb_get_retry].</param>
/// <param name="DelayBeforeRetry">Pause before a retry [delay_before_retry].</param>
/// <param name="ConnectTimeout">Hard limit of one attempt [connect_timeout; misc_timeout for MISC_CHECK].</param>
/// <param name="Warmup">First check delayed by a random time in [0, Warmup] [warmup].</param>
public sealed record CheckTiming(TimeSpan DelayLoop, int Retry, TimeSpan DelayBeforeRetry, TimeSpan ConnectTimeout, TimeSpan Warmup);

/// <summary>A change of a monitored server's health, as raised by <see cref="HealthMonitor.Changed"/>.</summary>
/// <param name="Up">Whether all of its checkers are up.</param>
/// <param name="DynamicWeight">The last misc_dynamic weight, or null.</param>
/// <param name="Reason">The reason of the check that caused the change.</param>
public readonly record struct ServerHealthChange(bool Up, int? DynamicWeight, string Reason)
{
    /// <summary>The last agent report of the server's AGENT_CHECK, or null when it has none or it failed.</summary>
    public AgentReport? Agent { get; init; }
}
