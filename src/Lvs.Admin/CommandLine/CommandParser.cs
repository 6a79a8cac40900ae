using System.Net;
using Lvs.Contracts;

namespace Lvs.Admin.CommandLine;

/// <summary>
/// Turns an lvsadm command line into a <see cref="ParsedCommand"/> with ipvsadm 1.31's rules:
/// the command comes first, options follow in any order, each option at most once, then
/// generic_opt_check, then the per-command checks. Every rejection is a <see cref="CommandLineException"/>
/// carrying ipvsadm's message and exit code, or lvsadm's "not built yet" refusal. Without
/// -m, -g or -i a real server is added by direct routing, ipvsadm's default.
/// </summary>
internal sealed partial class CommandParser(Func<string, IPAddress?> resolveHost, ServicesDatabase services)
{
    /// <summary>The kernel's IPVS schedulers (ipvsadm's SCHEDULERS, plus twos of newer kernels); lvsd has them all.</summary>
    public static readonly string[] IpvsSchedulers = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"];

    /// <summary>ipvsadm's DEF_SCHED: -A/-E without -s (or with an empty one).</summary>
    public const string DefaultScheduler = SchedulerFlagNames.DefaultScheduler;

    /// <summary>ipvsadm's MAX_TIMEOUT: 31 days, the limit of -p and --set.</summary>
    public const int MaxTimeout = 86400 * 31;

    /// <summary>The kernel's IPVS_SVC_PERSISTENT_TIMEOUT: -p without a value.</summary>
    public const int DefaultPersistenceTimeout = 300;

    /// <summary>ipvsadm's DEF_TUNNEL_TYPE.</summary>
    public const string DefaultTunnelType = "ipip";

    /// <summary>The options that only -i allows (ipvsadm's "Tunnel options conflict with forward method").</summary>
    private static readonly string[] s_tunnelOptions = ["tun-type", "tun-port", "tun-nocsum", "tun-csum", "tun-remcsum"];

    public static CommandParser System { get; } = new(AddressParser.ResolveHostIPv4, ServicesDatabase.System);

    public ParsedCommand Parse(IReadOnlyList<string> args)
    {
        TokenizedArgs tokenized = Tokenizer.Tokenize(args);
        string? controlPath = null;
        var options = new List<OptionToken>();
        foreach (OptionToken token in tokenized.Options)
        {
            // --control is lvsadm's and may stand anywhere, even before the command.
            if (token.Spec?.Id == OptionId.Control)
            {
                controlPath = token.Argument;
            }
            else
            {
                options.Add(token);
            }
        }

        // ipvsadm with no arguments lists the table (names resolved).
        if (options.Count == 0 && tokenized.Leftovers.Count == 0)
        {
            return new ParsedCommand(AdminCommand.List) { ControlPath = controlPath };
        }

        if (options.Count == 0 || options[0].Spec is not { } first)
        {
            throw Errors.TryHelpExit();
        }

        AdminCommand command = first.Id switch
        {
            OptionId.AddService => AdminCommand.AddService,
            OptionId.EditService => AdminCommand.EditService,
            OptionId.DeleteService => AdminCommand.DeleteService,
            OptionId.Clear => AdminCommand.Clear,
            OptionId.List => AdminCommand.List,
            OptionId.Zero => AdminCommand.Zero,
            OptionId.AddServer => AdminCommand.AddServer,
            OptionId.EditServer => AdminCommand.EditServer,
            OptionId.DeleteServer => AdminCommand.DeleteServer,
            OptionId.Drops => AdminCommand.Drops,
            OptionId.Help => AdminCommand.Help,
            OptionId.Version => AdminCommand.Version,
            OptionId.Set => AdminCommand.SetTimeouts,
            OptionId.Save => AdminCommand.Save,
            OptionId.Restore => AdminCommand.Restore,
            OptionId.Reload => AdminCommand.Reload,
            OptionId.StartDaemon or OptionId.StopDaemon => throw Errors.NotBuilt(first),
            _ => throw Errors.TryHelpExit(),
        };

        // ipvsadm exits at -h or -v before looking at anything else.
        if (command is AdminCommand.Help or AdminCommand.Version)
        {
            return new ParsedCommand(command) { ControlPath = controlPath };
        }

        var state = new State(command, controlPath);
        for (int i = 1; i < options.Count; i++)
        {
            ApplyOption(state, options[i]);
        }

        // parse_options' order after the option loop: --set's three values, any word left over, then -b.
        int leftover = 0;
        if (command == AdminCommand.SetTimeouts)
        {
            if (tokenized.Leftovers.Count < 3)
            {
                throw Errors.Fail("--set option requires 3 timeout values");
            }

            state.Timeouts = new TimeoutSettings(
                ParseTimeout(tokenized.Leftovers[0], 0),
                ParseTimeout(tokenized.Leftovers[1], 0),
                ParseTimeout(tokenized.Leftovers[2], 0));
            leftover = 3;
        }

        if (tokenized.Leftovers.Count > leftover)
        {
            throw Errors.Fail($"unexpected argument {tokenized.Leftovers[leftover]}");
        }

        if (!string.IsNullOrEmpty(state.SchedFlagsArgument))
        {
            state.SchedFlags = SchedulerFlagNames.Parse(state.Scheduler, state.SchedFlagsArgument);
        }

        OptionCheck.Check(command, state.Given);
        return Finish(state);
    }

    /// <summary>ipvsadm's parse_timeout: a whole number in [min, MAX_TIMEOUT], else fail(2, ...).</summary>
    private static int ParseTimeout(string text, int min)
    {
        int value = AddressParser.StringToNumber(text, min, MaxTimeout);
        return value >= 0 ? value : throw Errors.Fail($"invalid timeout value `{text}' specified");
    }

    /// <summary>process_options after generic_opt_check: the per-command checks in ipvsadm's order, then the result.</summary>
    private static ParsedCommand Finish(State state)
    {
        AdminCommand command = state.Command;
        bool fwmark = state.Fwmark != 0;
        ServiceKey? key = fwmark ? ServiceKey.ForFwmark(state.Fwmark) with { Ipv6 = state.Fwmark6 }
            : state.Service is { } svc ? new ServiceKey(state.Protocol, svc.Address, svc.Port ?? 0) : null;
        bool addOrEditService = command is AdminCommand.AddService or AdminCommand.EditService;
        string? scheduler = state.Scheduler;

        if (addOrEditService)
        {
            // A fwmark service has no port, and any protocol its mark catches: ipvsadm skips both checks.
            if (!fwmark && key!.Port == 0 && !state.Persistent)
            {
                throw Errors.Fail("Zero port specified for non-persistent service");
            }

            if (state.OnePacket && !fwmark && key!.Protocol != "udp")
            {
                throw Errors.Fail("One-Packet Scheduling is only for UDP virtual services");
            }

            if (string.IsNullOrEmpty(scheduler))
            {
                scheduler = DefaultScheduler;
            }
        }

        CheckList(state);

        if (addOrEditService)
        {
            // The kernel's refusal (ENOENT from ip_vs_scheduler_get), given before anything is sent.
            if (!IpvsSchedulers.Contains(scheduler))
            {
                throw new CommandLineException(Errors.CommandFailedExit, "Scheduler or persistence engine not found");
            }

        }

        RealServerTarget? server = null;
        bool addOrEditServer = command is AdminCommand.AddServer or AdminCommand.EditServer;
        if (state.Server is { } dest)
        {
            // Without a port the real server listens on the service's port (ipvsadm copies vport).
            ushort port = dest.Port ?? key?.Port ?? 0;
            if (addOrEditServer)
            {
                CheckServer(state, dest);

                // DR and TUN leave the destination port alone, so ipvsadm forces the service's;
                // "don't worry about this if fwmark is used": -r's port (or 0) stays.
                if (!fwmark && state.Method is "route" or "tunnel")
                {
                    port = key!.Port;
                }
            }

            server = new RealServerTarget(dest.Address, port, dest.IsIPv6);
        }

        bool tunnel = addOrEditServer && state.Method == "tunnel";
        string? tunnelType = tunnel ? state.TunnelType ?? DefaultTunnelType : null;

        return new ParsedCommand(command)
        {
            Service = key,
            Scheduler = scheduler,
            SchedulerFlags = addOrEditService && state.SchedFlagsArgument is { Length: > 0 }
                ? SchedulerFlagNames.Canonical(scheduler!, state.SchedFlags)
                : null,
            Persistent = state.Persistent,
            PersistenceTimeout = state.Persistent ? state.PersistenceTimeout : 0,
            PersistenceNetmask = state.Netmask ?? state.NetmaskPrefix?.ToString(global::System.Globalization.CultureInfo.InvariantCulture),
            OnePacket = state.OnePacket,
            UpperThreshold = state.UpperThreshold,
            LowerThreshold = state.LowerThreshold,
            Timeouts = state.Timeouts,
            Server = server,
            Method = state.Method,
            Weight = state.Weight,
            TunnelType = tunnelType,
            TunnelPort = tunnel ? state.TunnelPort : (ushort)0,
            TunnelChecksum = tunnelType is "gue" or "gre" ? ChecksumOption(state.Given) : null,
            Numeric = state.Given.Contains("numeric"),
            Stats = state.Given.Contains("stats"),
            Rate = state.Given.Contains("rate"),
            Json = state.Given.Contains("json"),
            Exact = state.Given.Contains("exact"),
            NoSort = state.Given.Contains("nosort"),
            TunInfo = state.Given.Contains("tun-info"),
            Connections = state.Given.Contains("connection"),
            Timeout = state.Given.Contains("timeout"),
            Thresholds = state.Given.Contains("thresholds"),
            PersistentConn = state.Given.Contains("persistent-conn"),
            Drops = state.Given.Contains("drops"),
            ControlPath = state.ControlPath,
        };
    }

    /// <summary>
    /// process_options' checks for -a/-e, in ipvsadm's order: address family, tunnel options
    /// without -i, then the tunnel type's own table.
    /// </summary>
    private static void CheckServer(State state, ServiceAddress dest)
    {
        bool tunnel = state.Method == "tunnel";
        // A fwmark service is AF_INET unless -6 made it AF_INET6.
        bool serviceIsV6 = state.Service?.IsIPv6 ?? state.Fwmark6;
        if (dest.IsIPv6 != serviceIsV6 && !tunnel)
        {
            throw Errors.Fail("Different address family is allowed only for tunneling servers");
        }

        if (!tunnel && s_tunnelOptions.Any(state.Given.Contains))
        {
            throw Errors.Fail("Tunnel options conflict with forward method");
        }

        OptionCheck.CheckTunnel(state.TunnelType ?? DefaultTunnelType, state.Given);
    }

    /// <summary>
    /// process_options' list check: -c, --timeout (and --daemon) take none of the per-server
    /// columns (--stats, --rate, --thresholds), --timeout no --persistent-conn; lvsadm's --drops takes no columns at all.
    /// </summary>
    private static void CheckList(State state)
    {
        if (state.Command != AdminCommand.List)
        {
            return;
        }

        HashSet<string> given = state.Given;
        bool columns = given.Contains("stats") || given.Contains("rate") || given.Contains("thresholds");
        if (((given.Contains("connection") || given.Contains("timeout")) && columns)
            || (given.Contains("timeout") && given.Contains("persistent-conn"))
            || (given.Contains("drops") && (columns || given.Contains("persistent-conn") || given.Contains("tun-info"))))
        {
            throw Errors.Fail("options conflicts in the list command");
        }
    }

    /// <summary>ipvsadm's tun_flags: none of the three options means "nocsum" (flags 0).</summary>
    private static string ChecksumOption(HashSet<string> given) =>
        given.Contains("tun-csum") ? "csum" : given.Contains("tun-remcsum") ? "remcsum" : "nocsum";
}
