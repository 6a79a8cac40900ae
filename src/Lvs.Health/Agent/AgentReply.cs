using System.Globalization;

namespace Lvs.Health;

/// <summary>
/// Parser of one HAProxy agent-check reply line (HAProxy configuration manual, "agent-check"):
/// words separated by spaces, tabs or commas, case-insensitive — "N%" (weight as a percentage of
/// the configured weight), "up", "down", "drain", "maint", "ready", "stopped", "fail",
/// "maxconn:N" (accepted, not used: IPVS has no per-server connection limit of that kind) — and
/// optionally '#' followed by a free-text reason. Any other word makes the reply invalid, which
/// the checker counts as a failed check.
/// </summary>
public static class AgentReply
{
    /// <summary>Largest percentage accepted; lvsd caps the resulting weight at IPVS's maximum.</summary>
    public const int MaxPercent = 10_000;

    /// <summary>Parses a reply line (without its line end).</summary>
    /// <param name="line">The line.</param>
    /// <param name="report">What it said, when true.</param>
    /// <param name="error">Why it is not a valid reply, when false.</param>
    public static bool TryParse(ReadOnlySpan<char> line, out AgentReport report, out string? error)
    {
        report = default;
        error = null;
        string? reason = null;
        var hash = line.IndexOf('#');
        if (hash >= 0)
        {
            reason = line[(hash + 1)..].Trim().ToString();
            line = line[..hash];
            if (reason.Length == 0)
            {
                reason = null;
            }
        }
        foreach (var c in line)
        {
            if (char.IsControl(c) && c != '\t')
            {
                error = "control character in reply";
                return false;
            }
        }
        int? percent = null;
        AgentState? state = null;
        var words = 0;
        foreach (var range in line.SplitAny(" \t,"))
        {
            var word = line[range];
            if (word.IsEmpty)
            {
                continue;
            }
            words++;
            if (word[^1] == '%')
            {
                if (!int.TryParse(word[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p > MaxPercent)
                {
                    error = $"bad weight '{Shorten(word)}': wanted 0% to {MaxPercent}%";
                    return false;
                }
                percent = p;
                continue;
            }
            if (word.StartsWith("maxconn:", StringComparison.OrdinalIgnoreCase))
            {
                if (!int.TryParse(word[8..], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    error = $"bad maxconn '{Shorten(word)}'";
                    return false;
                }
                continue;
            }
            AgentState? parsed = word switch
            {
                _ when word.Equals("up", StringComparison.OrdinalIgnoreCase) => AgentState.Up,
                _ when word.Equals("ready", StringComparison.OrdinalIgnoreCase) => AgentState.Ready,
                _ when word.Equals("drain", StringComparison.OrdinalIgnoreCase) => AgentState.Drain,
                _ when word.Equals("down", StringComparison.OrdinalIgnoreCase) => AgentState.Down,
                _ when word.Equals("maint", StringComparison.OrdinalIgnoreCase) => AgentState.Maint,
                _ when word.Equals("stopped", StringComparison.OrdinalIgnoreCase) => AgentState.Stopped,
                _ when word.Equals("fail", StringComparison.OrdinalIgnoreCase) => AgentState.Fail,
                _ => null,
            };
            if (parsed is null)
            {
                error = $"unknown word '{Shorten(word)}'";
                return false;
            }
            // "up drain" drains and "drain down" is down: the most restrictive word wins.
            if (state is null || Severity(parsed.Value) > Severity(state.Value))
            {
                state = parsed;
            }
        }
        if (words == 0 && reason is null)
        {
            error = "empty reply";
            return false;
        }
        report = new AgentReport(percent, state, reason);
        return true;
    }

    /// <summary>True for the states that take a server out of rotation (down, maint, stopped, fail).</summary>
    public static bool IsDown(AgentState state) => Severity(state) == 2;

    private static int Severity(AgentState state) => state switch
    {
        AgentState.Up or AgentState.Ready => 0,
        AgentState.Drain => 1,
        _ => 2,
    };

    private static string Shorten(ReadOnlySpan<char> word) => word.Length <= 32 ? word.ToString() : string.Concat(word[..32], "...");
}
