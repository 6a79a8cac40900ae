using System.Globalization;
using Lvs.Health.Config;

namespace Lvs.Health.Checks;

/// <summary>One <c>url { }</c> of HTTP_GET/SSL_GET: what to fetch and what passes.</summary>
/// <param name="Path">The request path (path).</param>
/// <param name="Digest">MD5 of the body (digest, 16 bytes), or null.</param>
/// <param name="StatusCodes">Accepted status ranges (status_code; default 200-299).</param>
/// <param name="VirtualHost">The Host header for this url (virtualhost), or null for the checker's.</param>
public sealed record HttpUrl(string Path, byte[]? Digest, IReadOnlyList<(int Low, int High)> StatusCodes, string? VirtualHost)
{
    /// <summary>True when <paramref name="status"/> is in one of the ranges.</summary>
    public bool Accepts(int status)
    {
        foreach (var (low, high) in StatusCodes)
        {
            if (status >= low && status <= high)
            {
                return true;
            }
        }
        return false;
    }

    internal string StatusText => string.Join(' ', StatusCodes.Select(r => r.Low == r.High ? r.Low.ToString(CultureInfo.InvariantCulture) : $"{r.Low}-{r.High}"));

    internal static HttpUrl? Parse(HealthBlock block, BlockReader reader)
    {
        string? path = null;
        byte[]? digest = null;
        string? virtualHost = null;
        var codes = new List<(int, int)>();
        foreach (var line in block.Children)
        {
            switch (line.Name)
            {
                case "path":
                    if (reader.Text(line, out var p))
                    {
                        path = p;
                    }
                    break;
                case "digest":
                    if (reader.Hex(line, out var d))
                    {
                        if (d.Length != 16)
                        {
                            reader.Fail(line, "digest wants an MD5 sum: 32 hex digits");
                        }
                        digest = d;
                    }
                    break;
                case "status_code":
                    ParseStatusCodes(line, reader, codes);
                    break;
                case "virtualhost":
                    if (reader.Text(line, out var v))
                    {
                        virtualHost = v;
                    }
                    break;
                default:
                    reader.Warn(line, $"unknown keyword '{line.Name}' in url, ignored");
                    break;
            }
        }
        if (path is null)
        {
            reader.Fail(block, "url needs a path");
            return null;
        }
        if (!path.StartsWith('/') || path.Any(c => c <= ' ' || c == 0x7f))
        {
            reader.Fail(block, $"url path must start with '/' and hold no spaces or control characters: '{path}'");
            return null;
        }
        if (codes.Count == 0)
        {
            codes.Add((200, 299));
        }
        return reader.Failed ? null : new HttpUrl(path, digest, codes, virtualHost);
    }

    // status_code 200 | status_code 200-299 | status_code "200 302 400-499"
    private static void ParseStatusCodes(HealthBlock line, BlockReader reader, List<(int, int)> codes)
    {
        if (!reader.Text(line, out var text))
        {
            return;
        }
        foreach (var word in text.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = word.IndexOf('-', StringComparison.Ordinal);
            var lowText = dash < 0 ? word : word[..dash];
            var highText = dash < 0 ? word : word[(dash + 1)..];
            if (!int.TryParse(lowText, NumberStyles.None, CultureInfo.InvariantCulture, out var low)
                || !int.TryParse(highText, NumberStyles.None, CultureInfo.InvariantCulture, out var high)
                || low < 100 || high > 599 || low > high)
            {
                reader.Fail(line, $"status_code wants codes or ranges within 100-599, like 200 or 200-299, not '{word}'");
                return;
            }
            codes.Add((low, high));
        }
    }
}
