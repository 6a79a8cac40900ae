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
internal sealed class CommandParser(Func<string, IPAddress?> resolveHost, ServicesDatabase services)
{
    /// <summary>The schedulers lvsd has; every other IPVS scheduler is refused as not built yet.</summary>
    public static readonly string[] BuiltSchedulers = ["rr", "wrr"];

    /// <summary>The kernel's IPVS schedulers (ipvsadm's SCHEDULERS, plus twos of newer kernels).</summary>
    public static readonly string[] IpvsSchedulers = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"];

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
            OptionId.Set or OptionId.Restore or OptionId.Save or OptionId.StartDaemon or OptionId.StopDaemon => throw Errors.NotBuilt(first),
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

        if (tokenized.Leftovers.Count > 0)
        {
            throw Errors.Fail($"unexpected argument {tokenized.Leftovers[0]}");
        }

        OptionCheck.Check(command, state.Given);
        return Finish(state);
    }

    private void ApplyOption(State state, OptionToken token)
    {
        if (token.Spec is not { } spec)
        {
            throw Errors.PoptError(token.Word, token.Error ?? Tokenizer.UnknownOption);
        }

        switch (spec.Id)
        {
            case OptionId.TcpService:
                state.Set("service-address");
                state.Service = AddressParser.ParseService(token.Argument!, "tcp", resolveHost, services)
                                ?? throw Errors.Fail("illegal virtual server address[:port] specified");
                return;
            case OptionId.Scheduler:
                state.Set("scheduler");
                state.Scheduler = token.Argument!;
                return;
            case OptionId.RealServer:
                state.Set("real-server");
                state.Server = AddressParser.ParseService(token.Argument!, state.Service is null ? null : "tcp", resolveHost, services)
                               ?? throw Errors.Fail("illegal real server address[:port] specified");
                return;
            case OptionId.Masquerading:
                state.Set("forwarding-method");
                state.Method = "masq";
                return;
            case OptionId.Gatewaying:
                state.Set("forwarding-method");
                state.Method = "route";
                return;
            case OptionId.Ipip:
                state.Set("forwarding-method");
                state.Method = "tunnel";
                return;
            case OptionId.TunType:
                state.Set("tun-type");
                state.TunnelType = OptionCheck.TunnelTypes.Contains(token.Argument!)
                    ? token.Argument
                    : throw Errors.Fail("illegal tunnel type specified");
                return;
            case OptionId.TunPort:
                state.Set("tun-port");
                int tunnelPort = AddressParser.StringToNumber(token.Argument!, 1, 65535);
                state.TunnelPort = tunnelPort > 0 ? (ushort)tunnelPort : throw Errors.Fail("illegal tunnel port specified");
                return;
            case OptionId.TunNoCsum:
                state.Set("tun-nocsum");
                return;
            case OptionId.TunCsum:
                state.Set("tun-csum");
                return;
            case OptionId.TunRemCsum:
                state.Set("tun-remcsum");
                return;
            case OptionId.TunInfo:
                state.Set("tun-info");
                return;
            case OptionId.Weight:
                state.Set("weight");
                state.Weight = AddressParser.StringToNumber(token.Argument!, 0, 65535);
                if (state.Weight < 0)
                {
                    throw Errors.Fail("illegal weight specified");
                }

                return;
            case OptionId.Numeric:
                state.Set("numeric");
                return;
            case OptionId.Stats:
                state.Set("stats");
                return;
            case OptionId.NoSort:
                state.Set("nosort");
                return;
            case OptionId.Sort:
                // ipvsadm: sorting is the default; --sort is a no-op kept for compatibility.
                return;
            case OptionId.Exact:
                state.Set("exact");
                return;
            case OptionId.Drops:
                state.Set("drops");
                return;
        }

        if (spec.NotBuilt is not null && !IsCommand(spec.Id))
        {
            throw Errors.NotBuilt(spec);
        }

        // A second command, -h or -v after the command: ipvsadm's option loop has no case for them.
        throw Errors.Fail($"invalid option `{token.Word}'");
    }

    private static bool IsCommand(OptionId id) => id is OptionId.Set or OptionId.Restore or OptionId.Save
        or OptionId.StartDaemon or OptionId.StopDaemon;

    private static ParsedCommand Finish(State state)
    {
        AdminCommand command = state.Command;
        ServiceKey? key = state.Service is { } svc ? new ServiceKey("tcp", svc.Address, svc.Port ?? 0) : null;

        if (command is AdminCommand.AddService or AdminCommand.EditService)
        {
            if (key!.Port == 0)
            {
                throw Errors.Fail("Zero port specified for non-persistent service");
            }

            if (state.Scheduler is null)
            {
                throw Errors.DefaultSchedulerNotBuilt();
            }

            if (!BuiltSchedulers.Contains(state.Scheduler))
            {
                // An IPVS scheduler lvsd lacks is ours to refuse; any other name the kernel would reject.
                throw IpvsSchedulers.Contains(state.Scheduler)
                    ? Errors.SchedulerNotBuilt(state.Scheduler)
                    : new CommandLineException(Errors.CommandFailedExit, "Scheduler or persistence engine not found");
            }
        }

        // The drop counters have no per-server columns, so --stats and --tun-info cannot shape them.
        if (command == AdminCommand.List && state.Given.Contains("drops")
            && (state.Given.Contains("stats") || state.Given.Contains("tun-info")))
        {
            throw Errors.Fail("options conflicts in the list command");
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

                // DR and TUN leave the destination port alone, so ipvsadm forces the service's.
                if (state.Method is "route" or "tunnel")
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
            Scheduler = state.Scheduler,
            Server = server,
            Method = state.Method,
            Weight = state.Weight,
            TunnelType = tunnelType,
            TunnelPort = tunnel ? state.TunnelPort : (ushort)0,
            TunnelChecksum = tunnelType is "gue" or "gre" ? ChecksumOption(state.Given) : null,
            Numeric = state.Given.Contains("numeric"),
            Stats = state.Given.Contains("stats"),
            Exact = state.Given.Contains("exact"),
            NoSort = state.Given.Contains("nosort"),
            TunInfo = state.Given.Contains("tun-info"),
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
        if (dest.IsIPv6 != state.Service!.IsIPv6 && !tunnel)
        {
            throw Errors.Fail("Different address family is allowed only for tunneling servers");
        }

        if (!tunnel && s_tunnelOptions.Any(state.Given.Contains))
        {
            throw Errors.Fail("Tunnel options conflict with forward method");
        }

        OptionCheck.CheckTunnel(state.TunnelType ?? DefaultTunnelType, state.Given);
    }

    /// <summary>ipvsadm's tun_flags: none of the three options means "nocsum" (flags 0).</summary>
    private static string ChecksumOption(HashSet<string> given) =>
        given.Contains("tun-csum") ? "csum" : given.Contains("tun-remcsum") ? "remcsum" : "nocsum";

    private sealed class State(AdminCommand command, string? controlPath)
    {
        public AdminCommand Command { get; } = command;

        public string? ControlPath { get; } = controlPath;

        public HashSet<string> Given { get; } = [];

        public ServiceAddress? Service { get; set; }

        public ServiceAddress? Server { get; set; }

        public string? Scheduler { get; set; }

        public string Method { get; set; } = "route";

        public int Weight { get; set; } = 1;

        public string? TunnelType { get; set; }

        public ushort TunnelPort { get; set; }

        /// <summary>ipvsadm's set_option: each option at most once.</summary>
        public void Set(string name)
        {
            if (!Given.Add(name))
            {
                throw Errors.Fail($"multiple '{name}' options specified");
            }
        }
    }
}
