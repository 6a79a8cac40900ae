namespace Lvs.Admin.CommandLine;

/// <summary>
/// ipvsadm's scheduler flags (-b): three bits, IP_VS_SVC_F_SCHED1..3, each with a generic name
/// (flag-1, flag-2, flag-3) and, for sh and mh, the scheduler's own names for the first two
/// (sh-fallback = mh-fallback = flag-1, sh-port = mh-port = flag-2).
/// </summary>
/// <remarks>
/// lvsadm sends each set bit by one canonical name, the one ipvsadm's print_sched_flags shows
/// for the service's scheduler: bit 1 "sh-fallback" under sh, "mh-fallback" under mh, "flag-1"
/// under any other scheduler; bit 2 likewise "sh-port" / "mh-port" / "flag-2"; bit 3 always
/// "flag-3". lvsd reads the fallback spellings as bit 1 and the port spellings as bit 2.
/// </remarks>
internal static class SchedulerFlagNames
{
    public const int Flag1 = 1;
    public const int Flag2 = 2;
    public const int Flag3 = 4;

    /// <summary>ipvsadm's DEF_SCHED, which parse_sched_flags checks against when -s is missing.</summary>
    public const string DefaultScheduler = "wlc";

    /// <summary>
    /// ipvsadm's parse_sched_flags: comma-separated names (empty items skipped, as strtok does),
    /// sh-*/mh-* only with their scheduler; fail(2, ...) otherwise.
    /// </summary>
    /// <param name="scheduler">What -s said (ipvsadm's sched_name), or null/empty for the default wlc.</param>
    public static int Parse(string? scheduler, string argument)
    {
        string sched = string.IsNullOrEmpty(scheduler) ? DefaultScheduler : scheduler;
        string[] items = argument.Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0)
        {
            // ipvsadm passes strtok's NULL to strcmp here and crashes; a clean refusal instead.
            throw Errors.Fail($"invalid scheduler flag `{argument}'");
        }

        int flags = 0;
        foreach (string flag in items)
        {
            (int bit, string? only) = flag switch
            {
                "flag-1" => (Flag1, null),
                "flag-2" => (Flag2, null),
                "flag-3" => (Flag3, null),
                "sh-fallback" => (Flag1, "sh"),
                "sh-port" => (Flag2, "sh"),
                "mh-fallback" => (Flag1, "mh"),
                "mh-port" => (Flag2, "mh"),
                _ => throw Errors.Fail($"invalid scheduler flag `{flag}'"),
            };
            flags |= bit;
            if (only is not null && sched != only)
            {
                throw Errors.Fail($"incompatible scheduler flag `{flag}'");
            }
        }

        return flags;
    }

    /// <summary>The canonical name of each set bit for a scheduler, in bit order (see the remarks).</summary>
    public static IReadOnlyList<string> Canonical(string scheduler, int flags)
    {
        var names = new List<string>(3);
        string prefix = scheduler is "sh" or "mh" ? scheduler : "";
        if ((flags & Flag1) != 0)
        {
            names.Add(prefix.Length > 0 ? prefix + "-fallback" : "flag-1");
        }

        if ((flags & Flag2) != 0)
        {
            names.Add(prefix.Length > 0 ? prefix + "-port" : "flag-2");
        }

        if ((flags & Flag3) != 0)
        {
            names.Add("flag-3");
        }

        return names;
    }

    /// <summary>The bits a list of names stands for, whatever spelling each uses; unknown names count for nothing.</summary>
    public static int Bits(IEnumerable<string>? names)
    {
        int flags = 0;
        foreach (string name in names ?? [])
        {
            flags |= name switch
            {
                "flag-1" or "sh-fallback" or "mh-fallback" => Flag1,
                "flag-2" or "sh-port" or "mh-port" => Flag2,
                "flag-3" => Flag3,
                _ => 0,
            };
        }

        return flags;
    }

    /// <summary>
    /// ipvsadm's print_sched_flags: under sh and mh only their own two names, under other schedulers
    /// flag-1..3, comma-separated. It can be empty while bits are set (flag-3 under sh), and ipvsadm
    /// then prints "()".
    /// </summary>
    public static string Format(string scheduler, int flags)
    {
        var names = new List<string>(3);
        if (scheduler is "sh" or "mh")
        {
            if ((flags & Flag1) != 0)
            {
                names.Add(scheduler + "-fallback");
            }

            if ((flags & Flag2) != 0)
            {
                names.Add(scheduler + "-port");
            }
        }
        else
        {
            names.AddRange(Canonical(scheduler, flags));
        }

        return string.Join(',', names);
    }
}
