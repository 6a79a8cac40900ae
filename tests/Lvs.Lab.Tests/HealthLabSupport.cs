using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>Reading real servers out of <c>lvsadm -L -n</c> and waiting for them to change.</summary>
internal static partial class HealthLabSupport
{
    /// <summary>The weight of <paramref name="server"/> ("ADDR:PORT") in the listing of the lab's service, or null when absent.</summary>
    public static int? Weight(NatLab lab, string server)
    {
        string listing = lab.Lvsadm("-L", "-n").EnsureSuccess().Stdout;
        foreach (string line in listing.Split('\n'))
        {
            Match m = ServerLine().Match(line);
            if (m.Success && m.Groups[1].Value == server)
            {
                return int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    /// <summary>Active connections of <paramref name="server"/>, or null when absent.</summary>
    public static int? ActiveConns(NatLab lab, string server)
    {
        string listing = lab.Lvsadm("-L", "-n").EnsureSuccess().Stdout;
        foreach (string line in listing.Split('\n'))
        {
            Match m = ServerLine().Match(line);
            if (m.Success && m.Groups[1].Value == server)
            {
                return int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }

    /// <summary>Polls every 100 ms until <paramref name="condition"/> holds; returns how long it took.</summary>
    public static TimeSpan WaitFor(Func<bool> condition, TimeSpan limit, string what, Func<string>? explain = null)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"not within {limit.TotalSeconds} s: {what}\n{explain?.Invoke()}");
            }

            Thread.Sleep(100);
        }

        return clock.Elapsed;
    }

    public static string Server(RealServer rs) => $"{rs.Address}:80";

    [GeneratedRegex(@"^  -> (\S+)\s+\S+\s+(\d+)\s+(\d+)\s+(\d+)")]
    private static partial Regex ServerLine();
}
