using Lvs.Contracts;

namespace Lvs.Admin.CommandLine;

/// <summary>What lvsadm was asked to do.</summary>
internal enum AdminCommand
{
    AddService,
    EditService,
    DeleteService,
    Clear,
    List,
    AddServer,
    DeleteServer,
    EditServer,
    Zero,

    /// <summary>--set tcp tcpfin udp.</summary>
    SetTimeouts,
    Drops,

    /// <summary>--vrrp (or -L --vrrp): the VRRP instances (lvsadm extension).</summary>
    Vrrp,
    Help,
    Version,

    /// <summary>-S: print the table as the commands that rebuild it.</summary>
    Save,

    /// <summary>-R: read commands from stdin and apply them all or none.</summary>
    Restore,

    /// <summary>--reload (lvsadm extension): lvsd re-reads its --config file.</summary>
    Reload,

    /// <summary>--start-daemon master|backup.</summary>
    StartDaemon,

    /// <summary>--stop-daemon master|backup.</summary>
    StopDaemon,
}

/// <summary>A real server as given with -r, resolved to its port (the service's when -r named none).</summary>
internal sealed record RealServerTarget(string Address, ushort Port, bool IsIPv6);

/// <summary>The result of parsing one lvsadm command line.</summary>
internal sealed record ParsedCommand(AdminCommand Command)
{
    /// <summary>The virtual service of -t or -u (null when none was given).</summary>
    public ServiceKey? Service { get; init; }

    /// <summary>For -A/-E the scheduler, ipvsadm's default wlc when -s named none; otherwise what -s said, if anything.</summary>
    public string? Scheduler { get; init; }

    /// <summary>For -A/-E with -b: the flags by their canonical names (<see cref="SchedulerFlagNames.Canonical"/>); null without -b.</summary>
    public IReadOnlyList<string>? SchedulerFlags { get; init; }

    /// <summary>-p: a persistent service.</summary>
    public bool Persistent { get; init; }

    /// <summary>-p [timeout]: seconds, ipvsadm's default 300; 0 when not persistent.</summary>
    public int PersistenceTimeout { get; init; }

    /// <summary>-M for an IPv4 service: the netmask, dotted; null when -M was not given.</summary>
    public string? PersistenceNetmask { get; init; }

    /// <summary>-o: one-packet scheduling.</summary>
    public bool OnePacket { get; init; }

    /// <summary>-x: upper connection threshold, 0 = none.</summary>
    public int UpperThreshold { get; init; }

    /// <summary>-y: lower connection threshold, 0 = none.</summary>
    public int LowerThreshold { get; init; }

    /// <summary>--set tcp tcpfin udp: the three timeouts in seconds (0 = unchanged).</summary>
    public TimeoutSettings? Timeouts { get; init; }

    public RealServerTarget? Server { get; init; }

    /// <summary>"masq", "route" or "tunnel"; ipvsadm's default is "route" (-g).</summary>
    public string Method { get; init; } = "route";

    /// <summary>ipvsadm's default weight is 1, also for -e.</summary>
    public int Weight { get; init; } = 1;

    /// <summary>For "tunnel": "ipip" (ipvsadm's default), "gue" or "gre"; null for the other methods.</summary>
    public string? TunnelType { get; init; }

    /// <summary>For a GUE tunnel: the destination UDP port (--tun-port); 0 otherwise.</summary>
    public ushort TunnelPort { get; init; }

    /// <summary>For GUE and GRE tunnels: "nocsum" (ipvsadm's default), "csum" or "remcsum"; null otherwise.</summary>
    public string? TunnelChecksum { get; init; }

    public bool Numeric { get; init; }

    public bool Stats { get; init; }

    /// <summary>-L --rate: the CPS/InPPS/OutPPS/InBPS/OutBPS columns.</summary>
    public bool Rate { get; init; }

    /// <summary>--json (lvsadm extension): print a listing as indented JSON instead of the table.</summary>
    public bool Json { get; init; }

    public bool Exact { get; init; }

    public bool NoSort { get; init; }

    /// <summary>-L -c: the connection entries instead of the table.</summary>
    public bool Connections { get; init; }

    /// <summary>-L --timeout: the timeout line instead of the table.</summary>
    public bool Timeout { get; init; }

    /// <summary>-L --thresholds: the Uthreshold/Lthreshold columns.</summary>
    public bool Thresholds { get; init; }

    /// <summary>-L --persistent-conn: the PersistConn column (with -c: the pe columns' header).</summary>
    public bool PersistentConn { get; init; }

    /// <summary>-L --tun-info: the TunnelInfo column.</summary>
    public bool TunInfo { get; init; }

    /// <summary>-L --drops: list the data path's drop counters (lvsadm extension).</summary>
    public bool Drops { get; init; }

    /// <summary>-L --daemon: the sync daemons instead of the table.</summary>
    public bool Daemons { get; init; }

    /// <summary>--start-daemon/--stop-daemon: the state and the daemon options.</summary>
    public SyncDaemonSpec? Daemon { get; init; }

    /// <summary>-L --vrrp: list the VRRP instances (lvsadm extension).</summary>
    public bool Vrrp { get; init; }

    /// <summary>-L --health (lvsadm extension): a Health column from lvsd's checkers, and the servers they took out.</summary>
    public bool Health { get; init; }

    /// <summary>--control PATH (lvsadm extension); null = $LVSD_CONTROL or the default.</summary>
    public string? ControlPath { get; init; }
}

/// <summary>ipvsadm stops here: <see cref="Message"/> goes to stderr, the process exits with <see cref="ExitCode"/>.</summary>
internal sealed class CommandLineException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
