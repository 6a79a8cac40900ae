using System.Net.Sockets;
using Lvs.Contracts;

namespace Lvs.Admin.CommandLine;

/// <summary>ipvsadm's option loop (parse_options' second switch): one option at a time, in command-line order.</summary>
internal sealed partial class CommandParser
{
    /// <summary>ipvsadm copies -s into sched_name[IP_VS_SCHEDNAME_MAXLEN] with strncpy(..., 15).</summary>
    private const int SchedulerNameMax = 15;

    /// <summary>ipvsadm keeps -b's argument in sched_flags_arg[128] (snprintf).</summary>
    private const int SchedFlagsMax = 127;

    private void ApplyOption(State state, OptionToken token)
    {
        if (token.Spec is not { } spec)
        {
            throw Errors.PoptError(token.Word, token.Error ?? Tokenizer.UnknownOption);
        }

        string argument = token.Argument ?? "";
        switch (spec.Id)
        {
            case OptionId.TcpService:
            case OptionId.UdpService:
                state.Set("service-address");
                state.Protocol = spec.Id == OptionId.UdpService ? "udp" : "tcp";
                state.Service = AddressParser.ParseService(argument, state.Protocol, resolveHost, services)
                                ?? throw Errors.Fail("illegal virtual server address[:port] specified");
                if (state.Service.IsIPv6)
                {
                    // parse_service sets the IPv6 default granularity (128), replacing an earlier -M.
                    state.Netmask = null;
                    state.NetmaskPrefix = null;
                }

                return;
            case OptionId.FwmarkService:
                // ipvsadm: set_option first, then protocol TCP ("a sane value, even though it is not used"), af AF_INET.
                state.Set("service-address");
                state.Protocol = "tcp";
                state.Fwmark = ParseFwmark(argument);
                return;
            case OptionId.Ipv6:
                // ipvsadm's -6 turns a fwmark given before it into an IPv6 one and is no set_option;
                // without one it fails with a message that itself ends in a newline (fail adds another).
                if (state.Fwmark == 0)
                {
                    throw Errors.Fail("-6 used before -f\n");
                }

                // parse_service for AF_INET6 also resets the granularity to 128 (an earlier -M goes).
                state.Fwmark6 = true;
                state.Netmask = null;
                state.NetmaskPrefix = null;
                return;
            case OptionId.Scheduler:
                state.Set("scheduler");
                state.Scheduler = argument.Length > SchedulerNameMax ? argument[..SchedulerNameMax] : argument;
                return;
            case OptionId.Persistent:
                state.Set("persistent");
                state.Persistent = true;
                state.PersistenceTimeout = token.Argument is null ? DefaultPersistenceTimeout : ParseTimeout(argument, 1);
                return;
            case OptionId.Netmask:
                state.Set("netmask");
                ApplyNetmask(state, argument);
                return;
            case OptionId.RealServer:
                state.Set("real-server");
                state.Server = AddressParser.ParseService(argument, state.HasService ? state.Protocol : null, resolveHost, services)
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
                state.TunnelType = OptionCheck.TunnelTypes.Contains(argument)
                    ? argument
                    : throw Errors.Fail("illegal tunnel type specified");
                return;
            case OptionId.TunPort:
                state.Set("tun-port");
                int tunnelPort = AddressParser.StringToNumber(argument, 1, 65535);
                state.TunnelPort = tunnelPort > 0 ? (ushort)tunnelPort : throw Errors.Fail("illegal tunnel port specified");
                return;
            case OptionId.Weight:
                state.Set("weight");
                state.Weight = AddressParser.StringToNumber(argument, 0, 65535);
                if (state.Weight < 0)
                {
                    throw Errors.Fail("illegal weight specified");
                }

                return;
            case OptionId.UThreshold:
                state.Set("u-threshold");
                state.UpperThreshold = AddressParser.StringToNumber(argument, 0, int.MaxValue);
                if (state.UpperThreshold < 0)
                {
                    throw Errors.Fail("illegal u_threshold specified");
                }

                return;
            case OptionId.LThreshold:
                state.Set("l-threshold");
                state.LowerThreshold = AddressParser.StringToNumber(argument, 0, int.MaxValue);
                if (state.LowerThreshold < 0)
                {
                    throw Errors.Fail("illegal l_threshold specified");
                }

                return;
            case OptionId.Ops:
                state.Set("ops");
                state.OnePacket = true;
                return;
            case OptionId.SchedFlags:
                state.Set("sched-flags");
                state.SchedFlagsArgument = argument.Length > SchedFlagsMax ? argument[..SchedFlagsMax] : argument;
                return;
            case OptionId.Sort:
                // ipvsadm: sorting is the default; --sort is a no-op kept for compatibility.
                return;
        }

        if (FlagColumn(spec.Id) is { } column)
        {
            state.Set(column);
            return;
        }

        if (spec.NotBuilt is not null && !IsCommand(spec.Id))
        {
            throw Errors.NotBuilt(spec);
        }

        // A second command, -h or -v after the command: ipvsadm's option loop has no case for them.
        throw Errors.Fail($"invalid option `{token.Word}'");
    }

    /// <summary>The options that only set a flag, by their generic_opt_check column.</summary>
    private static string? FlagColumn(OptionId id) => id switch
    {
        OptionId.Numeric => "numeric",
        OptionId.Connection => "connection",
        OptionId.Timeout => "timeout",
        OptionId.Stats => "stats",
        OptionId.Rate => "rate",
        OptionId.Json => "json",
        OptionId.Thresholds => "thresholds",
        OptionId.PersistentConn => "persistent-conn",
        OptionId.NoSort => "nosort",
        OptionId.Exact => "exact",
        OptionId.TunInfo => "tun-info",
        OptionId.TunNoCsum => "tun-nocsum",
        OptionId.TunCsum => "tun-csum",
        OptionId.TunRemCsum => "tun-remcsum",
        OptionId.Drops => "drops",
        _ => null,
    };

    /// <summary>
    /// ipvsadm's -M: for a service not (yet) known as IPv6, parse_netmask (inet_aton, else a host
    /// name); for an IPv6 service, atoi in 1..128. Like ipvsadm it does not ask for contiguous bits.
    /// </summary>
    private void ApplyNetmask(State state, string argument)
    {
        if (state.Service is not { IsIPv6: true } && !state.Fwmark6)
        {
            if (AddressParser.TryInetAton(argument, out uint mask))
            {
                state.Netmask = $"{mask >> 24}.{(mask >> 16) & 0xff}.{(mask >> 8) & 0xff}.{mask & 0xff}";
            }
            else if (argument.Length > 0 && resolveHost(argument) is { AddressFamily: AddressFamily.InterNetwork } resolved)
            {
                state.Netmask = resolved.ToString();
            }
            else
            {
                throw Errors.Fail("illegal virtual server persistent mask specified");
            }

            return;
        }

        int prefix = CAtoi(argument);
        state.NetmaskPrefix = prefix is >= 1 and <= 128 ? prefix : throw Errors.Fail("illegal ipv6 netmask specified");
    }

    /// <summary>
    /// ipvsadm's parse_fwmark: strtol base 10 over the whole word (blanks and a sign first), into an
    /// unsigned long, then 1..UINT_MAX; a negative number wraps above UINT_MAX and is refused too.
    /// </summary>
    internal static uint ParseFwmark(string text)
    {
        int i = 0;
        while (i < text.Length && text[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
        {
            i++;
        }

        bool negative = i < text.Length && text[i] == '-';
        if (i < text.Length && text[i] is '+' or '-')
        {
            i++;
        }

        int digits = i;
        ulong value = 0;
        for (; i < text.Length && char.IsAsciiDigit(text[i]); i++)
        {
            // Past UINT_MAX the answer is known (strtol's ERANGE or the range check); keep consuming digits.
            value = Math.Min((value * 10) + (ulong)(text[i] - '0'), (ulong)uint.MaxValue + 1);
        }

        if (i == digits || i != text.Length || negative || value is 0 or > uint.MaxValue)
        {
            throw Errors.Fail($"invalid fwmark value `{text}' specified");
        }

        return (uint)value;
    }

    /// <summary>C's atoi: blanks, a sign, then digits up to the first other character; 0 if none.</summary>
    private static int CAtoi(string s)
    {
        int i = 0;
        while (i < s.Length && s[i] is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
        {
            i++;
        }

        bool negative = i < s.Length && s[i] == '-';
        if (i < s.Length && s[i] is '+' or '-')
        {
            i++;
        }

        long value = 0;
        for (; i < s.Length && char.IsAsciiDigit(s[i]) && value <= int.MaxValue; i++)
        {
            value = (value * 10) + (s[i] - '0');
        }

        value = negative ? -value : value;
        return (int)Math.Clamp(value, int.MinValue, int.MaxValue);
    }

    private static bool IsCommand(OptionId id) => id is OptionId.Set or OptionId.Restore or OptionId.Save
        or OptionId.StartDaemon or OptionId.StopDaemon or OptionId.Reload;

    private sealed class State(AdminCommand command, string? controlPath)
    {
        public AdminCommand Command { get; } = command;

        public string? ControlPath { get; } = controlPath;

        public HashSet<string> Given { get; } = [];

        public string Protocol { get; set; } = "tcp";

        public ServiceAddress? Service { get; set; }

        /// <summary>-f: the firewall mark, 0 when none was given (ipvsadm's svc.fwmark).</summary>
        public uint Fwmark { get; set; }

        /// <summary>-6 after -f: the fwmark service is IPv6.</summary>
        public bool Fwmark6 { get; set; }

        /// <summary>-t, -u or -f was given.</summary>
        public bool HasService => Service is not null || Fwmark != 0;

        public ServiceAddress? Server { get; set; }

        public string? Scheduler { get; set; }

        public string? SchedFlagsArgument { get; set; }

        public int SchedFlags { get; set; }

        public bool Persistent { get; set; }

        public int PersistenceTimeout { get; set; }

        /// <summary>-M for IPv4, dotted.</summary>
        public string? Netmask { get; set; }

        /// <summary>-M for an IPv6 service: the prefix length.</summary>
        public int? NetmaskPrefix { get; set; }

        public bool OnePacket { get; set; }

        public string Method { get; set; } = "route";

        public int Weight { get; set; } = 1;

        public int UpperThreshold { get; set; }

        public int LowerThreshold { get; set; }

        public string? TunnelType { get; set; }

        public ushort TunnelPort { get; set; }

        public TimeoutSettings? Timeouts { get; set; }

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
