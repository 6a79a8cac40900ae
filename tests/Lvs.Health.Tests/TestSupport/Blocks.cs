using System.Text;

namespace Lvs.Health.Tests.TestSupport;

/// <summary>
/// Builds <see cref="HealthBlock"/>s from keepalived text, one keyword per line, braces for
/// blocks, double quotes keep spaces: just enough of keepalived's syntax for checker blocks.
/// Locations are "test:LINE".
/// </summary>
internal static class Blocks
{
    public static HealthBlock Parse(string text)
    {
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var index = 0;
        var children = ParseBody(lines, ref index, top: true);
        return Assert.Single(children);
    }

    private static List<HealthBlock> ParseBody(string[] lines, ref int index, bool top)
    {
        var result = new List<HealthBlock>();
        while (index < lines.Length)
        {
            var lineNumber = index + 1;
            var words = Words(lines[index++]);
            if (words.Count == 0)
            {
                continue;
            }
            if (words[0] == "}")
            {
                Assert.False(top, $"unbalanced }} at line {lineNumber}");
                return result;
            }
            var opens = words[^1] == "{";
            var args = words.Skip(1).Take(words.Count - 1 - (opens ? 1 : 0)).ToList();
            var kids = opens ? ParseBody(lines, ref index, top: false) : [];
            result.Add(new HealthBlock(words[0], args, kids, $"test:{lineNumber}"));
        }
        Assert.True(top, "missing }");
        return result;
    }

    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
                current.Append(c);
            }
            else if (!quoted && char.IsWhiteSpace(c))
            {
                Flush();
            }
            else
            {
                current.Append(c);
            }
        }
        Flush();
        return words;

        void Flush()
        {
            if (current.Length > 0)
            {
                words.Add(current.ToString());
                current.Clear();
            }
        }
    }
}
