using System.Globalization;
using System.Text.RegularExpressions;

namespace Lvs.Lab;

/// <summary>
/// One virtual service's line of <c>lvsadm -L -n --stats --exact</c> (ipvsadm's format):
/// <code>
/// Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
///   -> RemoteAddress:Port
/// TCP  192.0.2.10:80                      32      192        0    12544        0
///   -> 203.0.113.11:80                    16       96        0     6272        0
/// </code>
/// OutPkts counts what the director sent in the reply direction: in DR and TUN the replies
/// bypass it, so it stays 0 there, as with ip_vs.
/// </summary>
/// <param name="Connections">Connections scheduled.</param>
/// <param name="InPackets">Packets from clients forwarded.</param>
/// <param name="OutPackets">Reply packets forwarded by the director.</param>
/// <param name="InBytes">Bytes from clients forwarded.</param>
/// <param name="OutBytes">Reply bytes forwarded by the director.</param>
public sealed partial record ServiceStats(long Connections, long InPackets, long OutPackets, long InBytes, long OutBytes)
{
    /// <summary>Finds the line of service <paramref name="protocol"/> <paramref name="service"/> (addr:port) in the listing.</summary>
    /// <exception cref="FormatException">The service is not listed, or its counters are not exact numbers.</exception>
    public static ServiceStats Parse(string listing, string protocol, string service)
    {
        foreach (string line in listing.Split('\n'))
        {
            var match = ServiceLine().Match(line);
            if (match.Success && match.Groups[1].Value == protocol && match.Groups[2].Value == service)
            {
                long At(int i) => long.Parse(match.Groups[i].Value, CultureInfo.InvariantCulture);
                return new ServiceStats(At(3), At(4), At(5), At(6), At(7));
            }
        }

        throw new FormatException($"no exact stats line for {protocol} {service} in:\n{listing}");
    }

    [GeneratedRegex(@"^(TCP|UDP|SCTP|FWM)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")]
    private static partial Regex ServiceLine();
}
