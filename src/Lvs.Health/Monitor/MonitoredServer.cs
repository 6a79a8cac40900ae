namespace Lvs.Health;

/// <summary>
/// A real server watched by a <see cref="HealthMonitor"/>. Read-only for callers; the monitor
/// updates it under its own lock, so read it in a <see cref="HealthMonitor.Changed"/> handler or
/// use the <see cref="ServerHealthChange"/> passed there.
/// </summary>
public sealed class MonitoredServer
{
    internal MonitoredServer(string id, IReadOnlyList<IHealthCheck> checks, bool up, DateTimeOffset now)
    {
        Id = id;
        Up = up;
        LastReason = up ? "initial state: up" : "initial state: down until checked (alpha)";
        LastChange = now;
        Checkers = [.. checks.Select(c => new CheckerState(c, up))];
    }

    /// <summary>The caller's name for the server.</summary>
    public string Id { get; }

    /// <summary>True when every checker of the server is up.</summary>
    public bool Up { get; internal set; }

    /// <summary>The last misc_dynamic weight, or null.</summary>
    public int? DynamicWeight { get; internal set; }

    /// <summary>The last agent report, or null (no AGENT_CHECK, or it was declared down).</summary>
    public AgentReport? Agent { get; internal set; }

    /// <summary>The reason of the last change.</summary>
    public string LastReason { get; internal set; }

    /// <summary>When <see cref="Up"/> last changed.</summary>
    public DateTimeOffset LastChange { get; internal set; }

    /// <summary>The checkers, in the order given to <see cref="HealthMonitor.Add"/>.</summary>
    public IReadOnlyList<IHealthCheck> Checks => [.. Checkers.Select(c => c.Check)];

    internal CheckerState[] Checkers { get; }

    internal Lock Gate { get; } = new();

    internal CancellationTokenSource Stop { get; } = new();

    internal CancellationTokenSource? Linked { get; set; }

    internal bool Removed { get; set; }

    internal bool Running { get; set; }
}

/// <summary>One checker's keepalived state: up or down, and failed attempts retried so far.</summary>
internal sealed class CheckerState(IHealthCheck check, bool up)
{
    public IHealthCheck Check { get; } = check;

    public bool Up { get; set; } = up;

    public int Failures { get; set; }

    /// <summary>True for AGENT_CHECK (and any checker that returned an agent report once).</summary>
    public bool ReportsAgent { get; set; } = check is AgentCheck;
}

/// <summary>One finished attempt, as raised by <see cref="HealthMonitor.AttemptCompleted"/>.</summary>
/// <param name="Server">Whose check it was.</param>
/// <param name="Check">Which checker.</param>
/// <param name="Result">What it found.</param>
/// <param name="Lateness">How long after its due time it started (waiting for a slot included).</param>
/// <param name="Duration">How long it ran.</param>
public readonly record struct CheckAttempt(MonitoredServer Server, IHealthCheck Check, CheckResult Result, TimeSpan Lateness, TimeSpan Duration);
