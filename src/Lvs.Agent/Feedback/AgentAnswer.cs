using System.Globalization;

namespace Lvs.Agent.Feedback;

/// <summary>
/// The lines lvs-agent feedback answers, in HAProxy's agent-check protocol (HAProxy configuration
/// manual, "agent-check"): comma- or space-separated words, each a weight "N%", a state (up, down,
/// ready, drain, maint, stopped, fail) or "maxconn:N", then optionally "#" and a reason.
/// </summary>
public static class AgentAnswer
{
    /// <summary>The longest line passed on from a command; HAProxy reads at most a small buffer.</summary>
    public const int MaxLength = 200;

    private static readonly string[] States = ["up", "down", "ready", "drain", "maint", "stopped", "fail"];

    /// <summary>"N%\n".</summary>
    public static string Percent(int percent) => string.Create(CultureInfo.InvariantCulture, $"{percent}%\n");

    /// <summary>"fail #reason\n", for when the metric cannot be read: the director counts it as a failed check.</summary>
    public static string Fail(string reason) => $"fail #{Clean(reason)}\n";

    /// <summary>
    /// A command's first output line as an answer: trimmed and checked word by word. Null when it is not
    /// in the protocol, so garbage never reaches the director as something it might misread.
    /// </summary>
    public static string? FromCommandOutput(string output)
    {
        int newline = output.IndexOf('\n');
        string line = (newline < 0 ? output : output[..newline]).Trim();
        if (line.Length is 0 or > MaxLength || line.Any(c => c < 0x20 || c > 0x7e))
        {
            return null;
        }

        int hash = line.IndexOf('#');
        string words = hash < 0 ? line : line[..hash];
        string[] parts = words.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !parts.All(IsWord))
        {
            return null;
        }

        return line + "\n";
    }

    private static bool IsWord(string w)
    {
        string lower = w.ToLowerInvariant();
        if (States.Contains(lower))
        {
            return true;
        }

        if (lower.StartsWith("maxconn:", StringComparison.Ordinal))
        {
            return uint.TryParse(lower.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out _);
        }

        return lower.EndsWith('%')
               && double.TryParse(lower.AsSpan(0, lower.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double p)
               && p is >= 0 and <= 1000;
    }

    private static string Clean(string reason)
    {
        var chars = reason.Where(c => c is >= (char)0x20 and <= (char)0x7e).Take(MaxLength).ToArray();
        return new string(chars);
    }
}
