namespace Lvs.Admin.CommandLine;

/// <summary>Every option ipvsadm 1.31 knows (its popt table), plus lvsadm's own extensions.</summary>
internal enum OptionId
{
    AddService,
    EditService,
    DeleteService,
    Clear,
    List,
    Zero,
    AddServer,
    EditServer,
    DeleteServer,
    Set,
    Help,
    Version,
    Restore,
    Save,
    StartDaemon,
    StopDaemon,
    TcpService,
    UdpService,
    SctpService,
    FwmarkService,
    Scheduler,
    Persistent,
    Netmask,
    RealServer,
    Masquerading,
    Ipip,
    Gatewaying,
    Weight,
    UThreshold,
    LThreshold,
    Numeric,
    Connection,
    McastInterface,
    SyncId,
    Timeout,
    Daemon,
    Stats,
    Rate,
    Thresholds,
    PersistentConn,
    NoSort,
    Sort,
    Exact,
    Ipv6,
    Ops,
    PersistenceEngine,
    SchedFlags,
    McastGroup,
    McastPort,
    McastTtl,
    SyncMaxLen,
    TunInfo,
    TunType,
    TunPort,
    TunNoCsum,
    TunCsum,
    TunRemCsum,

    // lvsadm extensions.
    Drops,
    Control,
    Json,
    Reload,
}

internal enum ArgumentKind
{
    None,
    Required,

    /// <summary>popt's POPT_ARGFLAG_OPTIONAL: the next word is taken only if it does not start with '-'.</summary>
    Optional,
}

/// <param name="NotBuilt">When set, lvsadm refuses the option with "&lt;display&gt; (&lt;NotBuilt&gt;) is not built yet".</param>
internal sealed record OptionSpec(OptionId Id, string Long, char Short, ArgumentKind Argument, string? NotBuilt = null)
{
    /// <summary>How messages name the option: its short form if it has one, else its long form.</summary>
    public string Display => Short != '\0' ? "-" + Short : "--" + Long;
}

/// <summary>The option table, in ipvsadm 1.31's order (popt matches long names exactly, no abbreviations).</summary>
internal static class OptionTable
{
    public static readonly OptionSpec[] All =
    [
        new(OptionId.AddService, "add-service", 'A', ArgumentKind.None),
        new(OptionId.EditService, "edit-service", 'E', ArgumentKind.None),
        new(OptionId.DeleteService, "delete-service", 'D', ArgumentKind.None),
        new(OptionId.Clear, "clear", 'C', ArgumentKind.None),
        new(OptionId.List, "list", 'L', ArgumentKind.None),
        new(OptionId.List, "list", 'l', ArgumentKind.None),
        new(OptionId.Zero, "zero", 'Z', ArgumentKind.None),
        new(OptionId.AddServer, "add-server", 'a', ArgumentKind.None),
        new(OptionId.EditServer, "edit-server", 'e', ArgumentKind.None),
        new(OptionId.DeleteServer, "delete-server", 'd', ArgumentKind.None),
        new(OptionId.Set, "set", '\0', ArgumentKind.None),
        new(OptionId.Help, "help", 'h', ArgumentKind.None),
        new(OptionId.Version, "version", 'v', ArgumentKind.None),
        new(OptionId.Restore, "restore", 'R', ArgumentKind.None),
        new(OptionId.Save, "save", 'S', ArgumentKind.None),
        new(OptionId.StartDaemon, "start-daemon", '\0', ArgumentKind.Required, "the connection sync daemon"),
        new(OptionId.StopDaemon, "stop-daemon", '\0', ArgumentKind.Required, "the connection sync daemon"),
        new(OptionId.TcpService, "tcp-service", 't', ArgumentKind.Required),
        new(OptionId.UdpService, "udp-service", 'u', ArgumentKind.Required),
        new(OptionId.SctpService, "sctp-service", '\0', ArgumentKind.Required, "SCTP services"),
        new(OptionId.FwmarkService, "fwmark-service", 'f', ArgumentKind.Required),
        new(OptionId.Scheduler, "scheduler", 's', ArgumentKind.Required),
        new(OptionId.Persistent, "persistent", 'p', ArgumentKind.Optional),
        new(OptionId.Netmask, "netmask", 'M', ArgumentKind.Required),
        new(OptionId.RealServer, "real-server", 'r', ArgumentKind.Required),
        new(OptionId.Masquerading, "masquerading", 'm', ArgumentKind.None),
        new(OptionId.Ipip, "ipip", 'i', ArgumentKind.None),
        new(OptionId.Gatewaying, "gatewaying", 'g', ArgumentKind.None),
        new(OptionId.Weight, "weight", 'w', ArgumentKind.Required),
        new(OptionId.UThreshold, "u-threshold", 'x', ArgumentKind.Required),
        new(OptionId.LThreshold, "l-threshold", 'y', ArgumentKind.Required),
        new(OptionId.Numeric, "numeric", 'n', ArgumentKind.None),
        new(OptionId.Connection, "connection", 'c', ArgumentKind.None),
        new(OptionId.McastInterface, "mcast-interface", '\0', ArgumentKind.Required, "the connection sync daemon"),
        new(OptionId.SyncId, "syncid", '\0', ArgumentKind.Required, "the connection sync daemon"),
        new(OptionId.Timeout, "timeout", '\0', ArgumentKind.None),
        new(OptionId.Daemon, "daemon", '\0', ArgumentKind.None, "the connection sync daemon"),
        new(OptionId.Stats, "stats", '\0', ArgumentKind.None),
        new(OptionId.Rate, "rate", '\0', ArgumentKind.None),
        new(OptionId.Thresholds, "thresholds", '\0', ArgumentKind.None),
        new(OptionId.PersistentConn, "persistent-conn", '\0', ArgumentKind.None),
        new(OptionId.NoSort, "nosort", '\0', ArgumentKind.None),
        new(OptionId.Sort, "sort", '\0', ArgumentKind.None),
        new(OptionId.Exact, "exact", 'X', ArgumentKind.None),
        new(OptionId.Ipv6, "ipv6", '6', ArgumentKind.None),
        new(OptionId.Ops, "ops", 'o', ArgumentKind.None),
        new(OptionId.PersistenceEngine, "pe", '\0', ArgumentKind.Required, "persistence engines"),
        new(OptionId.SchedFlags, "sched-flags", 'b', ArgumentKind.Required),
        new(OptionId.McastGroup, "mcast-group", '\0', ArgumentKind.Required, "the connection sync daemon"),
        new(OptionId.McastPort, "mcast-port", '\0', ArgumentKind.Required, "the connection sync daemon"),
        new(OptionId.McastTtl, "mcast-ttl", '\0', ArgumentKind.Required, "the connection sync daemon"),
        new(OptionId.SyncMaxLen, "sync-maxlen", '\0', ArgumentKind.Required, "the connection sync daemon"),
        new(OptionId.TunInfo, "tun-info", '\0', ArgumentKind.None),
        new(OptionId.TunType, "tun-type", '\0', ArgumentKind.Required),
        new(OptionId.TunPort, "tun-port", '\0', ArgumentKind.Required),
        new(OptionId.TunNoCsum, "tun-nocsum", '\0', ArgumentKind.None),
        new(OptionId.TunCsum, "tun-csum", '\0', ArgumentKind.None),
        new(OptionId.TunRemCsum, "tun-remcsum", '\0', ArgumentKind.None),
        new(OptionId.Drops, "drops", '\0', ArgumentKind.None),
        new(OptionId.Control, "control", '\0', ArgumentKind.Required),
        new(OptionId.Json, "json", '\0', ArgumentKind.None),
        new(OptionId.Reload, "reload", '\0', ArgumentKind.None),
    ];

    public static OptionSpec? FindLong(ReadOnlySpan<char> name)
    {
        foreach (OptionSpec spec in All)
        {
            if (name.SequenceEqual(spec.Long))
            {
                return spec;
            }
        }

        return null;
    }

    public static OptionSpec? FindShort(char c)
    {
        foreach (OptionSpec spec in All)
        {
            if (spec.Short == c)
            {
                return spec;
            }
        }

        return null;
    }
}
