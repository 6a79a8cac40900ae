using System.Globalization;

namespace Lvs.Agent.Feedback;

/// <summary>Cumulative CPU time from the "cpu" line of /proc/stat, in jiffies.</summary>
public readonly record struct CpuTimes(ulong Total, ulong Idle);

/// <summary>
/// Parsers of the /proc files lvs-agent feedback reads, and the mapping from a load to the
/// percentage of the configured weight it reports. Pure: tests feed them captured text.
/// </summary>
public static class LoadReadings
{
    /// <summary>
    /// The aggregate "cpu" line of /proc/stat (proc(5)): user nice system idle iowait irq softirq steal
    /// [guest guest_nice]. Idle counts idle and iowait (a CPU waiting for I/O could run work); guest
    /// time is already inside user and nice, so it is not added again.
    /// </summary>
    public static bool TryParseCpu(ReadOnlySpan<char> procStat, out CpuTimes times)
    {
        times = default;
        int end = procStat.IndexOf('\n');
        ReadOnlySpan<char> line = end < 0 ? procStat : procStat[..end];
        if (!line.StartsWith("cpu "))
        {
            return false;
        }

        ulong total = 0, idle = 0;
        int field = 0;
        foreach (Range r in line[4..].Split(' '))
        {
            ReadOnlySpan<char> word = line[4..][r];
            if (word.IsEmpty)
            {
                continue;
            }

            if (!ulong.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
            {
                return false;
            }

            if (field < 8)
            {
                total += value;
                if (field is 3 or 4)
                {
                    idle += value;
                }
            }

            field++;
        }

        if (field < 4)
        {
            return false;
        }

        times = new CpuTimes(total, idle);
        return true;
    }

    /// <summary>Percentage of CPU time idle between two samples; null when no time passed or the counters went back.</summary>
    public static double? IdlePercent(CpuTimes before, CpuTimes after)
    {
        if (after.Total <= before.Total || after.Idle < before.Idle)
        {
            return null;
        }

        double idle = after.Idle - before.Idle;
        return Math.Clamp(100.0 * idle / (after.Total - before.Total), 0, 100);
    }

    /// <summary>The 1-minute load average, the first field of /proc/loadavg.</summary>
    public static bool TryParseLoadAverage(ReadOnlySpan<char> procLoadavg, out double load)
    {
        load = 0;
        ReadOnlySpan<char> text = procLoadavg.TrimStart();
        int space = text.IndexOfAny(' ', '\n');
        ReadOnlySpan<char> first = space < 0 ? text : text[..space];
        return double.TryParse(first, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out load) && double.IsFinite(load);
    }

    /// <summary>
    /// Counts ESTABLISHED sockets (state 01) in /proc/net/tcp or tcp6 text: a header line, then one line
    /// per socket whose fourth field is the state in hex. Lines that do not fit are skipped.
    /// </summary>
    public static int CountEstablished(ReadOnlySpan<char> procNetTcp)
    {
        int count = 0;
        bool header = true;
        foreach (Range r in procNetTcp.Split('\n'))
        {
            ReadOnlySpan<char> line = procNetTcp[r];
            if (header)
            {
                header = false;
                continue;
            }

            int field = 0;
            foreach (Range w in line.Split(' '))
            {
                ReadOnlySpan<char> word = line[w];
                if (word.IsEmpty)
                {
                    continue;
                }

                if (field == 3)
                {
                    if (word.Equals("01", StringComparison.Ordinal))
                    {
                        count++;
                    }

                    break;
                }

                field++;
            }
        }

        return count;
    }

    /// <summary>
    /// The percentage reported for a load where <paramref name="max"/> means fully loaded: 100 at no
    /// load, falling linearly, never below 1, so a busy server keeps a little traffic (taking it out
    /// is the health checks' job, or a command's "drain").
    /// </summary>
    public static int PercentFor(double load, double max)
    {
        if (!double.IsFinite(load) || load < 0 || max <= 0)
        {
            return 1;
        }

        double percent = 100.0 * (1 - (load / max));
        return (int)Math.Clamp(Math.Round(percent, MidpointRounding.AwayFromZero), 1, 100);
    }

    /// <summary>The percentage reported for an idle share of the CPU: the idle share itself, at least 1.</summary>
    public static int PercentForIdle(double idlePercent) =>
        (int)Math.Clamp(Math.Round(idlePercent, MidpointRounding.AwayFromZero), 1, 100);
}
