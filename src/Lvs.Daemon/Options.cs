using Lvs.Contracts;
using Lvs.Linux;

namespace Lvs.Daemon;

/// <summary>lvsd's command line.</summary>
public sealed record Options
{
    public const string Usage = """
        Usage: lvsd [--config FILE] [--control PATH] [--interface NAME]... [--max-connections N]
          --config FILE         keepalived.conf, or an ipvsadm save file (-S output); re-read
                                on SIGHUP and on lvsadm --reload
          --control PATH        control socket (default /run/lvsd/lvsd.sock, or $LVSD_CONTROL)
          --interface NAME      serve only this interface (repeatable; default: every
                                non-loopback interface of this network namespace)
          --max-connections N   upper bound of the connection table (default 4194304)
          --nft-table NAME      nftables netdev table for the steering rules (default lvsd)
          --fwmark-table NAME   nftables tables (families ip and ip6) with the marking
                                rules of fwmark services (default lvs_fwmark)
          --io packet|xdp       packet I/O: AF_PACKET rings (default), or AF_XDP sockets fed
                                by lvsd's own XDP program (native mode, else generic; falls
                                back to packet, with the reason logged, where XDP fails)
          --rx-ring frames|blocks
                                AF_PACKET receive ring: TPACKET_V2 slots, each frame handed
                                over at once (default), or TPACKET_V3 blocks, denser but a
                                frame may wait up to 1 ms for its block under light load
          --workers N           data-path threads (default 1), each pinned to its CPU with
                                its own AF_PACKET rings in a PACKET_FANOUT group that sends
                                both directions of a connection to the same worker; needs
                                --io packet
          --expire-nodest-conn  expire a deleted real server's connections on their next
                                packet (ip_vs's expire_nodest_conn); default: they drain
          --web ADDR:PORT       serve /metrics (Prometheus), the dashboard (/) and its API
                                (/api/status, /api/events), read-only; off by default.
                                --web unix:/PATH listens on a Unix socket (mode 0600)
          --log-level LEVEL     debug, info (default), warn or error
          --log-format FORMAT   text (default: time level=... msg=... key=value) or json
          -h, --help            this text
        lvsd runs in the foreground, logs to stderr and stops on SIGINT or SIGTERM,
        removing the nftables rules it installed.
        """;

    public string ControlPath { get; init; } = ControlSocket.Resolve(null);

    public IReadOnlyList<string> Interfaces { get; init; } = [];

    public int MaxConnections { get; init; } = 1 << 22;

    public string NftTable { get; init; } = "lvsd";

    public string FwmarkTable { get; init; } = "lvs_fwmark";

    public bool Help { get; init; }

    public bool ExpireNodestConn { get; init; }

    /// <summary>Packet I/O: "packet" (AF_PACKET, the default) or "xdp" (AF_XDP with our XDP program).</summary>
    public string Io { get; init; } = "packet";

    /// <summary>AF_PACKET receive ring layout (--rx-ring): frames (TPACKET_V2, the default) or blocks (TPACKET_V3).</summary>
    public Lvs.Linux.PacketIO.RingKind RxRing { get; init; } = Lvs.Linux.PacketIO.RingKind.Frames;

    public string? ConfigPath { get; init; }

    /// <summary>Data-path workers (--workers); 1 runs the single worker without a fanout group.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>The most workers: CPUs a 64-bit affinity mask can pin.</summary>
    public const int MaxWorkers = 64;

    /// <summary>Where the web listener binds (--web); null = no listener.</summary>
    public Web.WebEndpoint? Web { get; init; }

    public LogLevel LogLevel { get; init; } = LogLevel.Info;

    public LogFormat LogFormat { get; init; } = LogFormat.Text;

    /// <summary>Parses the arguments; on error returns null with a one-line message.</summary>
    public static Options? Parse(string[] args, out string? error)
    {
        error = null;
        var options = new Options();
        var interfaces = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string? Value()
            {
                if (i + 1 >= args.Length)
                {
                    return null;
                }

                return args[++i];
            }

            switch (arg)
            {
                case "-h" or "--help":
                    options = options with { Help = true };
                    break;
                case "--control":
                    string? path = Value();
                    if (string.IsNullOrEmpty(path))
                    {
                        error = "--control needs a path";
                        return null;
                    }

                    options = options with { ControlPath = path };
                    break;
                case "--interface" or "-i":
                    string? name = Value();
                    if (string.IsNullOrEmpty(name))
                    {
                        error = "--interface needs a name";
                        return null;
                    }

                    interfaces.Add(name);
                    break;
                case "--max-connections":
                    if (!int.TryParse(Value(), out int max) || max < 16)
                    {
                        error = "--max-connections needs a number >= 16";
                        return null;
                    }

                    options = options with { MaxConnections = max };
                    break;
                case "--config":
                    string? config = Value();
                    if (string.IsNullOrEmpty(config))
                    {
                        error = "--config needs a file";
                        return null;
                    }

                    options = options with { ConfigPath = config };
                    break;
                case "--io":
                    string? io = Value();
                    if (io is not ("packet" or "xdp"))
                    {
                        error = "--io needs packet or xdp";
                        return null;
                    }

                    options = options with { Io = io };
                    break;
                case "--rx-ring":
                    string? ring = Value();
                    if (ring is not ("frames" or "blocks"))
                    {
                        error = "--rx-ring needs frames or blocks";
                        return null;
                    }

                    options = options with { RxRing = ring == "frames" ? Lvs.Linux.PacketIO.RingKind.Frames : Lvs.Linux.PacketIO.RingKind.Blocks };
                    break;
                case "--workers":
                    if (!int.TryParse(Value(), out int workers) || workers < 1 || workers > MaxWorkers)
                    {
                        error = $"--workers needs a number from 1 to {MaxWorkers}";
                        return null;
                    }

                    options = options with { Workers = workers };
                    break;
                case "--expire-nodest-conn":
                    options = options with { ExpireNodestConn = true };
                    break;
                case "--fwmark-table":
                    string? marks = Value();
                    if (string.IsNullOrEmpty(marks))
                    {
                        error = "--fwmark-table needs a name";
                        return null;
                    }

                    options = options with { FwmarkTable = marks };
                    break;
                case "--web":
                    if (!Daemon.Web.WebEndpoint.TryParse(Value(), out Web.WebEndpoint? web, out string? webError))
                    {
                        error = $"--web: {webError}";
                        return null;
                    }

                    options = options with { Web = web };
                    break;
                case "--log-level":
                    if (!Log.TryParseLevel(Value(), out LogLevel level))
                    {
                        error = "--log-level needs debug, info, warn or error";
                        return null;
                    }

                    options = options with { LogLevel = level };
                    break;
                case "--log-format":
                    switch (Value())
                    {
                        case "text":
                            options = options with { LogFormat = LogFormat.Text };
                            break;
                        case "json":
                            options = options with { LogFormat = LogFormat.Json };
                            break;
                        default:
                            error = "--log-format needs text or json";
                            return null;
                    }

                    break;
                case "--nft-table":
                    string? table = Value();
                    if (string.IsNullOrEmpty(table))
                    {
                        error = "--nft-table needs a name";
                        return null;
                    }

                    options = options with { NftTable = table };
                    break;
                default:
                    error = $"unknown option '{arg}'";
                    return null;
            }
        }

        if (options.Workers > 1 && options.Io == "xdp")
        {
            error = "--workers > 1 needs --io packet: the AF_XDP path runs one worker";
            return null;
        }

        return options with { Interfaces = interfaces };
    }
}
