using System.Globalization;

namespace Lvs.Lab.Bench;

/// <summary>
/// Memory and CPU of a set of processes from /proc (plain file reads): resident set size from
/// <c>/proc/PID/status</c> and user+system time from <c>/proc/PID/stat</c>, children included
/// (nginx's workers), found by their parent pid.
/// </summary>
internal static class ProcStat
{
    // USER_HZ is 100 on every Linux ABI .NET runs on.
    private const double TicksPerSecond = 100.0;

    /// <summary>The pids and every live descendant of them.</summary>
    public static IReadOnlyList<int> WithDescendants(IEnumerable<int> roots)
    {
        var all = new HashSet<int>(roots);
        var parents = new Dictionary<int, int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
                && TryReadStat(pid, out int ppid, out _))
            {
                parents[pid] = ppid;
            }
        }

        bool added = true;
        while (added)
        {
            added = false;
            foreach (var (pid, ppid) in parents)
            {
                if (all.Contains(ppid) && all.Add(pid))
                {
                    added = true;
                }
            }
        }

        return [.. all];
    }

    /// <summary>Sum of VmRSS over <paramref name="pids"/>, in bytes (processes gone meanwhile count 0).</summary>
    public static long ResidentBytes(IEnumerable<int> pids)
    {
        long total = 0;
        foreach (int pid in pids)
        {
            try
            {
                foreach (string line in File.ReadLines($"/proc/{pid}/status"))
                {
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                        break;
                    }
                }
            }
            catch (IOException)
            {
                // exited
            }
        }

        return total;
    }

    /// <summary>Sum of user+system CPU seconds over <paramref name="pids"/>.</summary>
    public static double CpuSeconds(IEnumerable<int> pids)
    {
        long ticks = 0;
        foreach (int pid in pids)
        {
            if (TryReadStat(pid, out _, out long t))
            {
                ticks += t;
            }
        }

        return ticks / TicksPerSecond;
    }

    private static bool TryReadStat(int pid, out int ppid, out long cpuTicks)
    {
        ppid = 0;
        cpuTicks = 0;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        // The command name may hold spaces and parentheses; the fields start after the last ')'.
        int close = text.LastIndexOf(')');
        if (close < 0)
        {
            return false;
        }

        string[] f = text[(close + 2)..].Split(' ');
        // f[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
        if (f.Length < 13)
        {
            return false;
        }

        ppid = int.Parse(f[1], CultureInfo.InvariantCulture);
        cpuTicks = long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture);
        return true;
    }
}
