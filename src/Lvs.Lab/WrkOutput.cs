using System.Globalization;
using System.Text.RegularExpressions;

namespace Lvs.Lab;

/// <summary>
/// The parts of wrk's summary the lab checks:
/// <code>
///   12345 requests in 10.00s, 2.00MB read
///   Socket errors: connect 0, read 0, write 0, timeout 0
///   Non-2xx or 3xx responses: 5
/// Requests/sec:   1234.56
/// </code>
/// The two middle lines appear only when their counts are not all zero.
/// </summary>
/// <param name="Requests">Completed requests.</param>
/// <param name="ConnectErrors">Socket errors while connecting.</param>
/// <param name="ReadErrors">Socket errors while reading.</param>
/// <param name="WriteErrors">Socket errors while writing.</param>
/// <param name="Timeouts">Requests that timed out.</param>
/// <param name="Non2xx3xx">Responses with another status.</param>
/// <param name="RequestsPerSecond">wrk's Requests/sec.</param>
public sealed partial record WrkOutput(
    long Requests, long ConnectErrors, long ReadErrors, long WriteErrors, long Timeouts, long Non2xx3xx, double RequestsPerSecond)
{
    /// <summary>Sum of all socket error kinds.</summary>
    public long SocketErrors => ConnectErrors + ReadErrors + WriteErrors + Timeouts;

    /// <summary>Parses wrk's stdout.</summary>
    /// <exception cref="FormatException">The text has no "N requests in" line or no Requests/sec line.</exception>
    public static WrkOutput Parse(string text)
    {
        var requests = RequestsLine().Match(text);
        var rate = RateLine().Match(text);
        if (!requests.Success || !rate.Success)
        {
            throw new FormatException("not wrk output: " + text);
        }

        var errors = SocketErrorsLine().Match(text);
        var non2xx = Non2xxLine().Match(text);
        long Group(Match m, int i) => m.Success ? long.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
        return new WrkOutput(
            Group(requests, 1),
            Group(errors, 1), Group(errors, 2), Group(errors, 3), Group(errors, 4),
            Group(non2xx, 1),
            double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^\s*(\d+) requests in ", RegexOptions.Multiline)]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", RegexOptions.Multiline)]
    private static partial Regex SocketErrorsLine();

    [GeneratedRegex(@"^\s*Non-2xx or 3xx responses: (\d+)", RegexOptions.Multiline)]
    private static partial Regex Non2xxLine();

    [GeneratedRegex(@"^Requests/sec:\s+([0-9.]+)", RegexOptions.Multiline)]
    private static partial Regex RateLine();
}
