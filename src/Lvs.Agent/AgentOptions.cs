using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Lvs.Agent.Decap;
using Lvs.Core.Packets;

namespace Lvs.Agent;

/// <summary>What lvs-agent was asked to do.</summary>
public enum AgentCommand
{
    /// <summary>Print the usage and exit 0.</summary>
    Help,

    /// <summary>Direct routing: VIPs on lo, ARP for them suppressed.</summary>
    Dr,

    /// <summary>Tunnelling: as <see cref="Dr"/>, plus decapsulation.</summary>
    Tunnel,

    /// <summary>Reverse what a crashed agent left, from its state file.</summary>
    Undo,

    /// <summary>Serve HAProxy's agent-check protocol with a weight from this host's load.</summary>
    Feedback,
}

/// <summary>lvs-agent's command line.</summary>
public sealed record AgentOptions
{
    /// <summary>The GUE port when --port is not given (ipvsadm needs the same as --tun-port).</summary>
    public const ushort DefaultGuePort = 6080;

    public const string DefaultDevice = "lvstun0";

    public const string Usage = """
        Usage: lvs-agent dr --vip ADDR [--vip ADDR]... [--state PATH]
               lvs-agent tunnel --vip ADDR [--vip ADDR]... [--type ipip|gue|gre] [--port N]
                                [--device NAME] [--stats-interval SECONDS] [--userspace] [--state PATH]
               lvs-agent undo [--state PATH]
               lvs-agent feedback --port N [--bind ADDR] [--metric cpu|loadavg|connections|command]
                                  [--command CMD] [--max-load X] [--interval SECONDS]
          dr                  put each VIP on lo (IPv4 /32, IPv6 /128 nodad); for IPv4 VIPs set
                              arp_ignore=1, arp_announce=2 on all and every non-loopback interface,
                              so only the director answers ARP (IPv6 needs nothing more: Linux
                              answers neighbour solicitations only for addresses on the receiving
                              interface, so a VIP on lo is never advertised)
          tunnel              as dr, and receive the director's tunnelled packets: with the kernel's
                              tunnel module (ipip, ip_gre, fou; IPv4 VIPs only) through its device,
                              otherwise decapsulated here and injected through a TUN device; ipip
                              takes IPv4 and IPv6 in IPv4 or IPv6 outer headers (ip_vs mixes
                              families for tunnels), gue and gre IPv4 only
          undo                reverse what a crashed agent left, from its state file
          feedback            answer the director's AGENT_CHECK (HAProxy's agent-check protocol):
                              each connection gets one line, "NN%" of the configured weight, then
                              is closed; needs no root
            --metric cpu          idle CPU share over the last interval (default)
            --metric loadavg      1-minute load average per core; --max-load (default 2) means 1%
            --metric connections  established TCP connections; --max-load (default 1000) means 1%
            --metric command      the first line of CMD (/bin/sh -c, at most 5 s), passed on when it
                                  is an agent-check answer ("75%", "drain", "down", "up", ...)
            --bind ADDR           listen address (default all, IPv4 and IPv6)
            --interval SECONDS    sampling interval (default 1)
          --vip ADDR          an IPv4 or IPv6 virtual address this real server serves (repeatable)
          --type T            ipip (default), gue or gre, as ipvsadm --tun-type
          --port N            GUE UDP port (default 6080; give ipvsadm the same --tun-port)
          --device NAME       TUN device for user-space decapsulation (default lvstun0)
          --stats-interval S  also log the drop counters every S seconds
          --userspace         decapsulate in user space even when the kernel module is there
          --state PATH        undo state file (default /run/lvs-agent/<netns or default>.json)
          -h, --help          this text
        lvs-agent runs in the foreground, logs to stderr, prints its counters on SIGUSR1 and at
        exit, and on SIGINT or SIGTERM restores everything it changed.
        """;

    public AgentCommand Command { get; init; }

    public IReadOnlyList<IPAddress> Vips { get; init; } = [];

    public TunnelType Type { get; init; } = TunnelType.Ipip;

    public ushort Port { get; init; } = DefaultGuePort;

    public string Device { get; init; } = DefaultDevice;

    /// <summary>The state file; null means the default for this network namespace.</summary>
    public string? StatePath { get; init; }

    /// <summary>Seconds between counter lines; 0 logs them only on SIGUSR1 and at exit.</summary>
    public int StatsInterval { get; init; }

    public bool ForceUserspace { get; init; }

    /// <summary>For <see cref="AgentCommand.Feedback"/>: its options.</summary>
    public Feedback.FeedbackOptions? Feedback { get; init; }

    /// <summary>Parses the arguments; on error returns null with a one-line message.</summary>
    public static AgentOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        if (args.Count == 0)
        {
            error = "missing command (dr, tunnel, undo or feedback)";
            return null;
        }

        AgentCommand command;
        switch (args[0])
        {
            case "dr":
                command = AgentCommand.Dr;
                break;
            case "tunnel":
                command = AgentCommand.Tunnel;
                break;
            case "undo":
                command = AgentCommand.Undo;
                break;
            case "-h" or "--help" or "help":
                return new AgentOptions { Command = AgentCommand.Help };
            case "feedback":
                if (args.Skip(1).Any(a => a is "-h" or "--help"))
                {
                    return new AgentOptions { Command = AgentCommand.Help };
                }

                Feedback.FeedbackOptions? feedback = Lvs.Agent.Feedback.FeedbackOptions.Parse(args, 1, out error);
                return feedback is null ? null : new AgentOptions { Command = AgentCommand.Feedback, Feedback = feedback };
            default:
                error = $"unknown command: {args[0]}";
                return null;
        }

        var options = new AgentOptions { Command = command };
        var vips = new List<IPAddress>();
        bool portSeen = false;
        for (int i = 1; i < args.Count; i++)
        {
            string arg = args[i];
            string? value = null;
            if (arg is "--vip" or "--type" or "--port" or "--device" or "--stats-interval" or "--state")
            {
                if (i + 1 >= args.Count || args[i + 1].Length == 0)
                {
                    error = $"{arg} needs a value";
                    return null;
                }

                value = args[++i];
            }

            switch (arg)
            {
                case "-h" or "--help":
                    return new AgentOptions { Command = AgentCommand.Help };
                case "--state":
                    options = options with { StatePath = value };
                    break;
                case "--vip" when command != AgentCommand.Undo:
                    IPAddress? vip = ParseVip(value!);
                    if (vip is null)
                    {
                        error = $"--vip needs a unicast IPv4 or IPv6 address: {value}";
                        return null;
                    }

                    if (!vips.Contains(vip))
                    {
                        vips.Add(vip);
                    }

                    break;
                case "--type" when command == AgentCommand.Tunnel:
                    TunnelType? type = value switch
                    {
                        "ipip" => TunnelType.Ipip,
                        "gue" => TunnelType.Gue,
                        "gre" => TunnelType.Gre,
                        _ => null,
                    };
                    if (type is null)
                    {
                        error = $"--type must be ipip, gue or gre: {value}";
                        return null;
                    }

                    options = options with { Type = type.Value };
                    break;
                case "--port" when command == AgentCommand.Tunnel:
                    if (!ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ushort port) || port == 0)
                    {
                        error = $"--port needs a number from 1 to 65535: {value}";
                        return null;
                    }

                    options = options with { Port = port };
                    portSeen = true;
                    break;
                case "--device" when command == AgentCommand.Tunnel:
                    if (value!.Length > 15 || value.AsSpan().IndexOfAny(" /\t") >= 0)
                    {
                        error = $"--device needs an interface name of at most 15 characters: {value}";
                        return null;
                    }

                    options = options with { Device = value };
                    break;
                case "--stats-interval" when command == AgentCommand.Tunnel:
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int seconds) || seconds > 86400)
                    {
                        error = $"--stats-interval needs seconds from 0 to 86400: {value}";
                        return null;
                    }

                    options = options with { StatsInterval = seconds };
                    break;
                case "--userspace" when command == AgentCommand.Tunnel:
                    options = options with { ForceUserspace = true };
                    break;
                default:
                    error = $"unknown argument for {args[0]}: {arg}";
                    return null;
            }
        }

        if (command != AgentCommand.Undo && vips.Count == 0)
        {
            error = $"{args[0]} needs at least one --vip";
            return null;
        }

        if (portSeen && options.Type != TunnelType.Gue)
        {
            error = "--port applies to --type gue only";
            return null;
        }

        if (command == AgentCommand.Tunnel && options.Type != TunnelType.Ipip
            && vips.Any(v => v.AddressFamily == AddressFamily.InterNetworkV6))
        {
            error = "gue/gre with IPv6 VIPs is not built yet (use --type ipip)";
            return null;
        }

        return options with { Vips = vips };
    }

    /// <summary>
    /// A VIP: dotted-quad IPv4 (all four parts, so "192.0.2" is not silently 192.0.0.2) or IPv6
    /// text without zone or brackets; an IPv6 VIP must be a global-style unicast address, since it
    /// goes on lo as a /128 and is reached from other hosts (not ::, ::1, fe80::/10,
    /// multicast, or IPv4-mapped, which is an IPv4 VIP spelt another way).
    /// </summary>
    private static IPAddress? ParseVip(string text)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (!Ipv6Address.TryParse(text, out Ipv6Address v6) || v6.IsUnspecified || v6.IsMulticast || v6.IsLinkLocal
                || v6.IsIPv4Mapped || v6 == new Ipv6Address(0, 1))
            {
                return null;
            }

            return v6.ToIPAddress();
        }

        return IPAddress.TryParse(text, out IPAddress? v4) && v4.AddressFamily == AddressFamily.InterNetwork
            && text.Count(c => c == '.') == 3 ? v4 : null;
    }
}
