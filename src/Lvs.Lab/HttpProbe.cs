namespace Lvs.Lab;

/// <summary>The outcome of one probe request through the VIP.</summary>
/// <param name="Number">1-based request number.</param>
/// <param name="Server">The real server that answered, or null when the request failed.</param>
/// <param name="Error">Why it failed (curl's message or the unexpected body), or null.</param>
public sealed record ProbeResult(int Number, RealServer? Server, string? Error)
{
    /// <summary>The line the demo prints: <c>request  1 -> rs1 (10.0.0.11)</c>.</summary>
    public override string ToString() =>
        Server is null ? $"request {Number,2} FAILED: {Error}" : $"request {Number,2} -> {Server.Name} ({Server.Address})";
}

/// <summary>Sequential HTTP requests to the VIP from the client namespace, one connection each.</summary>
public static class HttpProbe
{
    /// <summary>
    /// Sends <paramref name="count"/> GETs for <c>http://VIP/</c>, one curl (so one new
    /// connection) at a time, each bounded by <paramref name="perRequestTimeout"/>, with
    /// <paramref name="curlArgs"/> added to every curl.
    /// </summary>
    public static IReadOnlyList<ProbeResult> Sequential(
        LabTopology lab, int count, TimeSpan perRequestTimeout, Action<ProbeResult>? onEach = null, params string[] curlArgs) =>
        SequentialTo(lab, $"http://{LabTopology.Vip}/", count, perRequestTimeout, onEach, curlArgs);

    /// <summary>
    /// As <see cref="Sequential"/>, to <paramref name="url"/> (e.g. <see cref="LabTopology.Vip6Url"/>
    /// for the IPv6 service).
    /// </summary>
    public static IReadOnlyList<ProbeResult> SequentialTo(
        LabTopology lab, string url, int count, TimeSpan perRequestTimeout, Action<ProbeResult>? onEach = null, params string[] curlArgs)
    {
        var results = new List<ProbeResult>(count);
        for (int i = 1; i <= count; i++)
        {
            var result = lab.Curl(url, perRequestTimeout, curlArgs);
            ProbeResult probe;
            if (!result.Succeeded)
            {
                string why = result.TimedOut ? "curl hung" : result.Stderr.Trim();
                probe = new ProbeResult(i, null, why.Length > 0 ? why : $"curl exited {result.ExitCode}");
            }
            else
            {
                var server = lab.ServerByBody(result.Stdout);
                probe = new ProbeResult(i, server, server is null ? $"unexpected body '{result.Stdout.Trim()}'" : null);
            }

            results.Add(probe);
            onEach?.Invoke(probe);
        }

        return results;
    }

    /// <summary>Requests answered per real server, every server listed (0 if it got none), in lab order.</summary>
    public static IReadOnlyList<(RealServer Server, int Count)> Tally(LabTopology lab, IEnumerable<ProbeResult> results)
    {
        var list = results.ToList();
        return lab.RealServers.Select(rs => (rs, list.Count(r => r.Server == rs))).ToList();
    }

    /// <summary>The totals line: <c>rs1: 16  rs2: 16</c>.</summary>
    public static string FormatTally(IEnumerable<(RealServer Server, int Count)> tally) =>
        string.Join("  ", tally.Select(t => $"{t.Server.Name}: {t.Count}"));
}
