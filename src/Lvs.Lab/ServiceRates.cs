using System.Globalization;
using System.Text.RegularExpressions;

namespace Lvs.Lab;

/// <summary>
/// One virtual service's line of <c>lvsadm -L -n --rate --exact</c> (ipvsadm's format), the
/// rates ip_vs's estimator computes every 2 s:
/// <code>
/// Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS
///   -> RemoteAddress:Port
/// TCP  192.0.2.10:80                     212     1484     1272    98136   234920
///   -> 10.0.0.11:80                      106      742      636    49068   117460
/// </code>
/// </summary>
/// <param name="ConnectionsPerSecond">CPS: connections scheduled per second.</param>
/// <param name="InPacketsPerSecond">InPPS: packets from clients per second.</param>
/// <param name="OutPacketsPerSecond">OutPPS: reply packets per second.</param>
/// <param name="InBytesPerSecond">InBPS: bytes from clients per second.</param>
/// <param name="OutBytesPerSecond">OutBPS: reply bytes per second.</param>
public sealed partial record ServiceRates(
    long ConnectionsPerSecond, long InPacketsPerSecond, long OutPacketsPerSecond, long InBytesPerSecond, long OutBytesPerSecond)
{
    /// <summary>Finds the line of service <paramref name="protocol"/> <paramref name="service"/> (addr:port) in the listing.</summary>
    /// <exception cref="FormatException">The service is not listed, or its rates are not exact numbers.</exception>
    public static ServiceRates Parse(string listing, string protocol, string service)
    {
        if (!listing.Contains("CPS", StringComparison.Ordinal))
        {
            throw new FormatException($"not a --rate listing:\n{listing}");
        }

        foreach (string line in listing.Split('\n'))
        {
            var match = ServiceLine().Match(line);
            if (match.Success && match.Groups[1].Value == protocol && match.Groups[2].Value == service)
            {
                long At(int i) => long.Parse(match.Groups[i].Value, CultureInfo.InvariantCulture);
                return new ServiceRates(At(3), At(4), At(5), At(6), At(7));
            }
        }

        throw new FormatException($"no exact rate line for {protocol} {service} in:\n{listing}");
    }

    [GeneratedRegex(@"^(TCP|UDP|SCTP|FWM)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")]
    private static partial Regex ServiceLine();
}
