namespace Lvs.Health;

/// <summary>Parser of one HAProxy agent-check reply line.</summary>
public static class AgentReply
{
    /// <summary>Parses a reply line (without its line end).</summary>
    public static bool TryParse(ReadOnlySpan<char> line, out AgentReport report, out string? error) => throw new NotImplementedException();
}
