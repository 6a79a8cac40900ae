using Lvs.Core.Scheduling;
using Lvs.Core.Services;

namespace Lvs.Daemon.Config;

/// <summary>The commands of an ipvsadm save/restore file.</summary>
internal enum IpvsadmCommand
{
    AddService,
    EditService,
    DeleteService,
    Clear,
    AddServer,
    EditServer,
    DeleteServer,
}

/// <summary>A word of a save-file line and where it starts.</summary>
internal readonly record struct Word(string Text, SourceLocation At);

/// <summary>One parsed line of an ipvsadm save file, with ipvsadm's defaults where an option is absent.</summary>
internal sealed class IpvsadmLine
{
    /// <summary>ipvsadm's default persistence timeout (-p without a value).</summary>
    public const int DefaultPersistenceSeconds = 300;

    public IpvsadmCommand Command;
    public SourceLocation At;
    public ServiceKey? Key;
    public bool ServiceHasPort;
    public string Scheduler = KeepalivedInterpreter.DefaultScheduler;
    public SchedulerFlags Flags;
    public Word? FlagWord;
    public bool Persistent;
    public int PersistenceSeconds = DefaultPersistenceSeconds;
    public uint Mask = 0xFFFF_FFFF;
    public bool OnePacket;
    public InetAddress? ServerAddress;
    public ushort? ServerPort;
    public ForwardMethod Method = ForwardMethod.DirectRoute; // ipvsadm's default, unlike keepalived's
    public int Weight = 1;
    public int Upper;
    public int Lower;
    public TunnelType? TunnelType;
    public ushort? TunnelPort;
    public TunnelChecksum? TunnelChecksum;
    public Word? TunnelOption;

    /// <summary>Reads the words of one line (the leading "ipvsadm" already removed); null with <paramref name="error"/> set on failure.</summary>
    public static IpvsadmLine? Parse(IReadOnlyList<Word> words, out ConfigDiagnostic? error)
    {
        var line = new IpvsadmLine { At = words[0].At };
        error = null;
        for (int i = 0; i < words.Count; i++)
        {
            Word w = words[i];
            string name = w.Text;
            string? inline = null;
            int eq = name.IndexOf('=');
            if (name.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = name[(eq + 1)..];
                name = name[..eq];
            }

            string? Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                return i + 1 < words.Count ? words[++i].Text : null;
            }

            string? problem = line.Apply(name, i, words, Value, ref i);
            if (problem is not null)
            {
                error = new ConfigDiagnostic(w.At, problem);
                return null;
            }
        }

        if (line.Command is not IpvsadmCommand.Clear && line.Key is null)
        {
            error = new ConfigDiagnostic(line.At, "no service specified (-t, -u or -f)");
            return null;
        }

        if (line.Command is IpvsadmCommand.AddServer or IpvsadmCommand.EditServer or IpvsadmCommand.DeleteServer && line.ServerAddress is null)
        {
            error = new ConfigDiagnostic(line.At, "no destination specified (-r)");
            return null;
        }

        if (line.Command is IpvsadmCommand.AddService or IpvsadmCommand.EditService && line.Key is { IsFwmark: false } k && k.Port == 0 && !line.Persistent)
        {
            error = new ConfigDiagnostic(line.At, "Zero port specified for non-persistent service");
            return null;
        }

        if (line.ServerAddress is { } rip && line.Key is { } sk && rip.IsV6 != sk.IsV6 && line.Method != ForwardMethod.Tunnel
            && line.Command is IpvsadmCommand.AddServer or IpvsadmCommand.EditServer)
        {
            error = new ConfigDiagnostic(line.At, "Different address family is allowed only for tunneling servers");
            return null;
        }

        if (line.ServerAddress is { } rip6 && line.Key is { } sk6 && (rip6.IsV6 || sk6.IsV6)
            && line.TunnelType is Lvs.Core.Services.TunnelType.Gue or Lvs.Core.Services.TunnelType.Gre)
        {
            error = new ConfigDiagnostic(line.At, "GUE and GRE tunnels with IPv6 are not built (use --tun-type ipip)");
            return null;
        }

        if (line.TunnelOption is { } t && line.Method != ForwardMethod.Tunnel)
        {
            error = new ConfigDiagnostic(t.At, $"{t.Text} is only for -i (tunnelling)");
            return null;
        }

        if (line.TunnelType == Lvs.Core.Services.TunnelType.Gue && line.TunnelPort is null)
        {
            error = new ConfigDiagnostic(line.At, "--tun-port is required for gue tunnels");
            return null;
        }

        if (line.TunnelPort is not null && line.TunnelType != Lvs.Core.Services.TunnelType.Gue)
        {
            error = new ConfigDiagnostic(line.At, "--tun-port is only for gue tunnels");
            return null;
        }

        if (line.TunnelChecksum is not null && line.TunnelType is null or Lvs.Core.Services.TunnelType.IpIp)
        {
            error = new ConfigDiagnostic(line.At, "checksum options are only for gue and gre tunnels");
            return null;
        }

        if (line.OnePacket && line.Key is { Protocol: IpProtocol.Tcp })
        {
            error = new ConfigDiagnostic(line.At, "One-Packet Scheduling is only for UDP virtual services");
            return null;
        }

        if (line.FlagWord is { } f && !line.FlagsFit(line.Scheduler, f.Text, out string? flagProblem))
        {
            error = new ConfigDiagnostic(f.At, flagProblem!);
            return null;
        }

        return line;
    }

    /// <summary>Applies one option; returns ipvsadm's complaint, or null.</summary>
    private string? Apply(string name, int index, IReadOnlyList<Word> words, Func<string?> value, ref int i)
    {
        switch (name)
        {
            case "-A" or "--add-service": return SetCommand(IpvsadmCommand.AddService, index);
            case "-E" or "--edit-service": return SetCommand(IpvsadmCommand.EditService, index);
            case "-D" or "--delete-service": return SetCommand(IpvsadmCommand.DeleteService, index);
            case "-C" or "--clear": return SetCommand(IpvsadmCommand.Clear, index);
            case "-a" or "--add-server": return SetCommand(IpvsadmCommand.AddServer, index);
            case "-e" or "--edit-server": return SetCommand(IpvsadmCommand.EditServer, index);
            case "-d" or "--delete-server": return SetCommand(IpvsadmCommand.DeleteServer, index);
            case "-t" or "--tcp-service": return Service(IpProtocol.Tcp, value());
            case "-u" or "--udp-service": return Service(IpProtocol.Udp, value());
            case "-f" or "--fwmark-service":
                string? mark = value();
                if (mark is null || !ConfigValues.TryParseUInt(mark, out ulong m) || m is 0 or > uint.MaxValue)
                {
                    return $"illegal fwmark specified: '{mark}'";
                }

                Key = ServiceKey.ForFwmark((uint)m);
                return null;
            case "-6" or "--ipv6":
                // ipvsadm: -6 turns the fwmark service given before it into an IPv6 one.
                if (Key is not { IsFwmark: true } fk)
                {
                    return "-6 used before -f";
                }

                Key = ServiceKey.ForFwmark(fk.Mark, ipv6: true);
                return null;
            case "-s" or "--scheduler":
                string? sched = value();
                if (sched is null || !SchedulerRegistry.IsKnown(sched))
                {
                    return $"unknown scheduler '{sched}'";
                }

                Scheduler = sched;
                return null;
            case "-p" or "--persistent":
                Persistent = true;
                // -p's timeout is optional: the next word is it only when it is not an option.
                if (i + 1 < words.Count && !words[i + 1].Text.StartsWith('-'))
                {
                    string t = words[++i].Text;
                    if (!ConfigValues.TryParseInt(t, 1, int.MaxValue / 1000, out PersistenceSeconds))
                    {
                        return $"illegal timeout for persistent service: '{t}'";
                    }
                }

                return null;
            case "-M" or "--netmask":
                string? mask = value();
                if (Key is { IsV6: true })
                {
                    // IPv6: a prefix length (ipvsadm's atoi in 1..128), as ip_vs keeps it.
                    return mask is not null && ConfigValues.TryParseInt(mask, 1, 128, out int prefix) && (Mask = (uint)prefix) > 0
                        ? null
                        : $"illegal ipv6 netmask specified: '{mask}'";
                }

                return mask is not null && ConfigValues.TryParseNetmask(mask, out Mask) ? null : $"illegal virtual server netmask: '{mask}'";
            case "-b" or "--sched-flags":
                string? flags = value();
                if (flags is null)
                {
                    return "-b needs scheduler flags";
                }

                FlagWord = new Word(flags, words[index].At);
                return null;
            case "-o" or "--ops":
                OnePacket = true;
                return null;
            case "-r" or "--real-server":
                return Server(value());
            case "-g" or "--gatewaying":
                Method = ForwardMethod.DirectRoute;
                return null;
            case "-i" or "--ipip":
                Method = ForwardMethod.Tunnel;
                return null;
            case "-m" or "--masquerading":
                Method = ForwardMethod.Masquerade;
                return null;
            case "-w" or "--weight":
                return Number(value(), 0, KeepalivedInterpreter.MaxWeight, out Weight, "illegal weight specified");
            case "-x" or "--u-threshold":
                return Number(value(), 0, int.MaxValue, out Upper, "illegal u_threshold specified");
            case "-y" or "--l-threshold":
                return Number(value(), 0, int.MaxValue, out Lower, "illegal l_threshold specified");
            case "--tun-type":
                TunnelOption ??= words[index];
                TunnelType = value() switch
                {
                    "ipip" => Lvs.Core.Services.TunnelType.IpIp,
                    "gue" => Lvs.Core.Services.TunnelType.Gue,
                    "gre" => Lvs.Core.Services.TunnelType.Gre,
                    _ => null,
                };
                return TunnelType is null ? "illegal tunnel type (ipip, gue or gre)" : null;
            case "--tun-port":
                TunnelOption ??= words[index];
                string? port = value();
                if (port is null || !ConfigValues.TryParseInt(port, 1, ushort.MaxValue, out int p))
                {
                    return $"illegal tunnel port: '{port}'";
                }

                TunnelPort = (ushort)p;
                return null;
            case "--tun-nocsum" or "--tun-csum" or "--tun-remcsum":
                TunnelOption ??= words[index];
                TunnelChecksum = name switch
                {
                    "--tun-csum" => Lvs.Core.Services.TunnelChecksum.Checksum,
                    "--tun-remcsum" => Lvs.Core.Services.TunnelChecksum.RemoteChecksum,
                    _ => Lvs.Core.Services.TunnelChecksum.NoChecksum,
                };
                return null;
            case "--pe":
                return "persistence engines (--pe) are not built";
            case "--sctp-service":
                return "SCTP services are not built yet";
            default:
                return $"unknown option '{name}' (save files use -A/-a with -t -u -f -s -p -M -b -o -r -g -i -m -w -x -y --tun-*)";
        }
    }

    private string? SetCommand(IpvsadmCommand command, int index)
    {
        if (index != 0)
        {
            return "only one command per line";
        }

        Command = command;
        return null;
    }

    private string? Service(IpProtocol protocol, string? text)
    {
        if (text is null)
        {
            return "missing service address";
        }

        if (!TryHostPort(text, protocol, out InetAddress address, out ushort? port, out string? problem))
        {
            return problem;
        }

        Key = new ServiceKey(protocol, address, port ?? 0);
        ServiceHasPort = port is not null;
        return null;
    }

    private string? Server(string? text)
    {
        IpProtocol protocol = Key is { IsFwmark: false } k ? k.Protocol : IpProtocol.Tcp;
        if (text is null)
        {
            return "missing real server address";
        }

        if (!TryHostPort(text, protocol, out InetAddress address, out ushort? port, out string? problem))
        {
            return problem;
        }

        ServerAddress = address;
        ServerPort = port;
        return null;
    }

    private static string? Number(string? text, int min, int max, out int value, string message)
    {
        value = 0;
        return text is not null && ConfigValues.TryParseInt(text, min, max, out value) ? null : $"{message}: '{text}'";
    }

    /// <summary>
    /// "a.b.c.d[:port]", "[v6][:port]" or a bare IPv6 address (ipvsadm's parse_service); the port
    /// numeric or a service name of /etc/services; host names are refused (save with -n).
    /// </summary>
    private static bool TryHostPort(string text, IpProtocol protocol, out InetAddress address, out ushort? port, out string? problem)
    {
        port = null;
        problem = null;
        address = default;
        string host;
        int colon;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            host = close < 0 ? text : text[1..close];
            colon = close >= 0 && close + 1 < text.Length && text[close + 1] == ':' ? close + 1 : -1;
            if (close < 0 || (close + 1 < text.Length && colon < 0))
            {
                problem = $"illegal address '{text}'";
                return false;
            }
        }
        else if (text.Count(c => c == ':') > 1)
        {
            host = text;
            colon = -1;
        }
        else
        {
            colon = text.IndexOf(':');
            host = colon < 0 ? text : text[..colon];
        }

        if (ConfigValues.TryParseIpv4(host, out uint v4))
        {
            address = InetAddress.FromV4(v4);
        }
        else if (host.Contains(':') && Lvs.Core.Packets.Ipv6Address.TryParse(host, out Lvs.Core.Packets.Ipv6Address v6) && !v6.IsIPv4Mapped)
        {
            address = InetAddress.FromV6(v6);
        }
        else
        {
            problem = $"illegal address '{host}' (host names are not resolved in config files: save with -n)";
            return false;
        }

        if (colon >= 0)
        {
            string p = text[(colon + 1)..];
            if (ConfigValues.TryParsePort(p, out ushort numeric))
            {
                port = numeric;
            }
            else if (ServiceNames.TryLookup(p, protocol, out ushort named))
            {
                port = named;
            }
            else
            {
                problem = $"illegal port '{p}'";
                return false;
            }
        }

        return true;
    }

    /// <summary>ipvsadm's parse_sched_flags checks: known names, sh-*/mh-* only under their scheduler.</summary>
    private bool FlagsFit(string scheduler, string list, out string? problem)
    {
        problem = null;
        string[] items = list.Split(',', StringSplitOptions.RemoveEmptyEntries);
        if (items.Length == 0)
        {
            problem = $"invalid scheduler flag `{list}'";
            return false;
        }

        foreach (string flag in items)
        {
            (SchedulerFlags bit, string? only) = flag switch
            {
                "flag-1" => (SchedulerFlags.Fallback, null),
                "flag-2" => (SchedulerFlags.Port, null),
                "flag-3" => (SchedulerFlags.Flag3, null),
                "sh-fallback" => (SchedulerFlags.Fallback, "sh"),
                "sh-port" => (SchedulerFlags.Port, "sh"),
                "mh-fallback" => (SchedulerFlags.Fallback, "mh"),
                "mh-port" => (SchedulerFlags.Port, "mh"),
                _ => (SchedulerFlags.None, "?"),
            };
            if (only == "?")
            {
                problem = $"invalid scheduler flag `{flag}'";
                return false;
            }

            if (only is not null && only != scheduler)
            {
                problem = $"incompatible scheduler flag `{flag}'";
                return false;
            }

            Flags |= bit;
        }

        return true;
    }
}
