using System.Text;
using System.Text.RegularExpressions;

namespace Lvs.Daemon.Config;

/// <summary>
/// keepalived's <c>include</c> patterns: glob(3) with '*', '?' and '[...]' in any path segment,
/// relative to the directory of the including file, matches sorted, '*' not matching a leading dot.
/// </summary>
internal static class IncludeGlob
{
    public static bool HasWildcard(string pattern) => pattern.AsSpan().IndexOfAny("*?[") >= 0;

    /// <summary>The existing files <paramref name="pattern"/> names, sorted; empty when none.</summary>
    public static IReadOnlyList<string> Expand(string pattern, string baseDirectory)
    {
        string full = Path.GetFullPath(Path.IsPathRooted(pattern) ? pattern : Path.Combine(baseDirectory, pattern));
        if (!HasWildcard(full))
        {
            return File.Exists(full) ? [full] : [];
        }

        List<string> candidates = ["/"];
        foreach (string segment in full.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = new List<string>();
            Regex? regex = HasWildcard(segment) ? ToRegex(segment) : null;
            foreach (string dir in candidates)
            {
                if (regex is null)
                {
                    next.Add(Path.Combine(dir, segment));
                    continue;
                }

                foreach (string entry in EntriesOf(dir))
                {
                    string name = Path.GetFileName(entry);
                    if (regex.IsMatch(name) && (!name.StartsWith('.') || segment.StartsWith('.')))
                    {
                        next.Add(entry);
                    }
                }
            }

            candidates = next;
        }

        return [.. candidates.Where(File.Exists).Order(StringComparer.Ordinal)];
    }

    private static IEnumerable<string> EntriesOf(string dir)
    {
        try
        {
            return Directory.Exists(dir) ? Directory.GetFileSystemEntries(dir) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static Regex ToRegex(string segment)
    {
        var sb = new StringBuilder("^");
        for (int i = 0; i < segment.Length; i++)
        {
            char c = segment[i];
            switch (c)
            {
                case '*':
                    sb.Append(".*");
                    break;
                case '?':
                    sb.Append('.');
                    break;
                case '[':
                    int close = segment.IndexOf(']', i + 2);
                    if (close < 0)
                    {
                        sb.Append(@"\[");
                        break;
                    }

                    string set = segment[(i + 1)..close];
                    bool negate = set.StartsWith('!') || set.StartsWith('^');
                    string body = Regex.Escape(negate ? set[1..] : set).Replace(@"\-", "-");
                    sb.Append(negate ? "[^" : "[").Append(body).Append(']');
                    i = close;
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        try
        {
            return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant);
        }
        catch (ArgumentException)
        {
            // A set glob(3) would reject ([z-a]): match the segment literally instead.
            return new Regex("^" + Regex.Escape(segment) + "$", RegexOptions.CultureInvariant);
        }
    }
}
