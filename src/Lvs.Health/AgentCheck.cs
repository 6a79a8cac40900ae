namespace Lvs.Health;

/// <summary>HAProxy agent-check protocol client (our AGENT_CHECK block): connects, reads one line (at most 512 bytes), parses it.</summary>
public sealed class AgentCheck : IHealthCheck
{
    internal AgentCheck(CheckTarget target, CheckTiming timing)
    {
        Target = target;
        Timing = timing;
    }

    /// <summary>Where the agent listens.</summary>
    public CheckTarget Target { get; }

    /// <inheritdoc/>
    public string Kind => "AGENT_CHECK";

    /// <inheritdoc/>
    public CheckTiming Timing { get; }

    /// <inheritdoc/>
    public Task<CheckResult> RunAsync(CancellationToken ct) => throw new NotImplementedException();
}
