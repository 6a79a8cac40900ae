namespace Lvs.Health;

/// <summary>What a HAProxy agent-check reply said. Every part is optional.</summary>
/// <param name="WeightPercent">"N%": effective weight = configured weight × N / 100 (0..256 as HAProxy allows... capped by the parser).</param>
/// <param name="State">The last state word of the reply, if any.</param>
/// <param name="Reason">The text after '#', trimmed, if any.</param>
public readonly record struct AgentReport(int? WeightPercent, AgentState? State, string? Reason);

/// <summary>The state words of HAProxy's agent-check protocol.</summary>
public enum AgentState
{
    /// <summary>"up": the server is up.</summary>
    Up,
    /// <summary>"ready": leave maintenance / drain (treated as up).</summary>
    Ready,
    /// <summary>"drain": up but weight 0: no new connections, existing ones continue.</summary>
    Drain,
    /// <summary>"down": the server is down.</summary>
    Down,
    /// <summary>"maint": maintenance, treated as down.</summary>
    Maint,
    /// <summary>"stopped": treated as down.</summary>
    Stopped,
    /// <summary>"fail": treated as down.</summary>
    Fail,
}
