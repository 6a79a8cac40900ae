using System.Globalization;
using System.Net;

namespace Lvs.Agent.Feedback;

/// <summary>What lvs-agent feedback measures to compute the weight percentage it reports.</summary>
public enum FeedbackMetric
{
    /// <summary>CPU idle time over the last sampling interval (/proc/stat).</summary>
    Cpu,

    /// <summary>The 1-minute load average per core (/proc/loadavg), against --max-load.</summary>
    LoadAverage,

    /// <summary>Established TCP connections (/proc/net/tcp and tcp6), against --max-load.</summary>
    Connections,

    /// <summary>The first line a command prints, passed on when it is an agent-check answer.</summary>
    Command,
}

/// <summary>lvs-agent feedback's options: where it listens and what it measures.</summary>
public sealed record FeedbackOptions
{
    /// <summary>At most this many agent connections are served at once; more wait in the listen backlog.</summary>
    public const int DefaultMaxClients = 64;

    public ushort Port { get; init; }

    public IPAddress Bind { get; init; } = IPAddress.IPv6Any;

    public FeedbackMetric Metric { get; init; } = FeedbackMetric.Cpu;

    /// <summary>For <see cref="FeedbackMetric.Command"/>: run with /bin/sh -c.</summary>
    public string? Command { get; init; }

    /// <summary>
    /// The load that means 0%: per-core load average for loadavg (default 2), established connections
    /// for connections (default 1000). Unused by cpu and command.
    /// </summary>
    public double? MaxLoad { get; init; }

    /// <summary>How often the metric is sampled; each answer is the latest sample.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    public int MaxClients { get; init; } = DefaultMaxClients;

    /// <summary>How long one client may take to receive its line before it is dropped.</summary>
    public TimeSpan ClientTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The --max-load in force for the metric.</summary>
    public double EffectiveMaxLoad => MaxLoad ?? (Metric == FeedbackMetric.Connections ? 1000 : 2);

    /// <summary>Parses the arguments after "feedback"; null with a one-line message on error.</summary>
    public static FeedbackOptions? Parse(IReadOnlyList<string> args, int start, out string? error)
    {
        error = null;
        var o = new FeedbackOptions();
        bool portSeen = false;
        for (int i = start; i < args.Count; i++)
        {
            string arg = args[i];
            if (i + 1 >= args.Count || args[i + 1].Length == 0)
            {
                error = arg.StartsWith("--", StringComparison.Ordinal) ? $"{arg} needs a value" : $"unknown argument for feedback: {arg}";
                return null;
            }

            string value = args[++i];
            switch (arg)
            {
                case "--port":
                    if (!ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ushort port) || port == 0)
                    {
                        error = $"--port needs a number from 1 to 65535: {value}";
                        return null;
                    }

                    o = o with { Port = port };
                    portSeen = true;
                    break;
                case "--bind":
                    if (!IPAddress.TryParse(value, out IPAddress? bind) || (bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && value.Count(c => c == '.') != 3))
                    {
                        error = $"--bind needs an IPv4 or IPv6 address: {value}";
                        return null;
                    }

                    o = o with { Bind = bind };
                    break;
                case "--metric":
                    FeedbackMetric? metric = value switch
                    {
                        "cpu" => FeedbackMetric.Cpu,
                        "loadavg" => FeedbackMetric.LoadAverage,
                        "connections" => FeedbackMetric.Connections,
                        "command" => FeedbackMetric.Command,
                        _ => null,
                    };
                    if (metric is null)
                    {
                        error = $"--metric must be cpu, loadavg, connections or command: {value}";
                        return null;
                    }

                    o = o with { Metric = metric.Value };
                    break;
                case "--command":
                    o = o with { Command = value };
                    break;
                case "--max-load":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double max) || !double.IsFinite(max) || max <= 0)
                    {
                        error = $"--max-load needs a positive number: {value}";
                        return null;
                    }

                    o = o with { MaxLoad = max };
                    break;
                case "--interval":
                    if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || seconds is < 0.1 or > 3600)
                    {
                        error = $"--interval needs seconds from 0.1 to 3600: {value}";
                        return null;
                    }

                    o = o with { Interval = TimeSpan.FromSeconds(seconds) };
                    break;
                default:
                    error = $"unknown argument for feedback: {arg}";
                    return null;
            }
        }

        if (!portSeen)
        {
            error = "feedback needs --port";
            return null;
        }

        if (o.Metric == FeedbackMetric.Command && string.IsNullOrWhiteSpace(o.Command))
        {
            error = "--metric command needs --command CMD";
            return null;
        }

        if (o.Metric != FeedbackMetric.Command && o.Command is not null)
        {
            error = "--command applies to --metric command only";
            return null;
        }

        if (o.MaxLoad is not null && o.Metric is not (FeedbackMetric.LoadAverage or FeedbackMetric.Connections))
        {
            error = "--max-load applies to --metric loadavg or connections only";
            return null;
        }

        return o;
    }
}
