using System.Globalization;

namespace Lvs.Lab.Bench;

/// <summary>
/// What <c>lvs-lab bench</c> measures and for how long. Every duration bounds one traffic
/// loop; nothing runs open-ended.
/// </summary>
public sealed record BenchOptions
{
    /// <summary>Every row, in the order the table shows them.</summary>
    public static readonly IReadOnlyList<string> AllRows = ["routed", "nft", "haproxy", "nginx", "lvs-nat", "routed-dr", "lvs-dr", "lvs-tun"];

    /// <summary>Rows to measure (ids of <see cref="AllRows"/>).</summary>
    public IReadOnlyList<string> Rows { get; init; } = AllRows;

    /// <summary>Repetitions of the whole matrix; rows alternate within each run.</summary>
    public int Runs { get; init; } = 3;

    /// <summary>wrk's duration for new connections per second.</summary>
    public int WrkSeconds { get; init; } = 10;

    /// <summary>wrk's threads and connections.</summary>
    public int WrkThreads { get; init; } = 2;

    /// <inheritdoc cref="WrkThreads"/>
    public int WrkConnections { get; init; } = 50;

    /// <summary>iperf3's duration for each TCP direction and for UDP.</summary>
    public int IperfSeconds { get; init; } = 5;

    /// <summary>Concurrent idle connections to hold through each balancer; 0 skips the phase.</summary>
    public int HoldConnections { get; init; } = 100_000;

    /// <summary>How long the idle connections are watched once all are open (RSS and CPU are sampled over it).</summary>
    public int HoldSeconds { get; init; } = 5;

    /// <summary>The hold phase runs in the first run only (it costs a minute per row); true repeats it every run.</summary>
    public bool HoldEveryRun { get; init; }

    /// <summary>More lvsd arguments for every lvsd row, e.g. <c>--io xdp</c> or <c>--workers 2</c>.</summary>
    public IReadOnlyList<string> LvsdArgs { get; init; } = [];

    /// <summary>Where the Markdown table and the SVG chart go; none when null.</summary>
    public string? OutputDirectory { get; init; }

    /// <summary>Parses the command line after <c>bench</c>.</summary>
    public static bool TryParse(ReadOnlySpan<string> args, out BenchOptions options, out string error)
    {
        options = new BenchOptions();
        error = "";
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (arg)
            {
                case "--quick":
                    options = options with { Runs = 1, WrkSeconds = 2, IperfSeconds = 2, HoldConnections = 2_000, HoldSeconds = 1 };
                    break;
                case "--hold-every-run":
                    options = options with { HoldEveryRun = true };
                    break;
                case "--out" when value is not null:
                    options = options with { OutputDirectory = value };
                    i++;
                    break;
                case "--lvsd-args" when value is not null:
                    options = options with { LvsdArgs = value.Split(' ', StringSplitOptions.RemoveEmptyEntries) };
                    i++;
                    break;
                case "--rows" when value is not null:
                    var rows = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    string? unknown = rows.FirstOrDefault(r => !AllRows.Contains(r));
                    if (rows.Length == 0 || unknown is not null)
                    {
                        error = $"--rows takes a comma-separated subset of {string.Join(',', AllRows)}";
                        return false;
                    }

                    options = options with { Rows = AllRows.Where(rows.Contains).ToList() };
                    i++;
                    break;
                case "--runs" or "--wrk-seconds" or "--iperf-seconds" or "--hold" or "--hold-seconds" or "--wrk-connections":
                    if (value is null || !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
                        || !InRange(arg, n))
                    {
                        error = $"{arg} needs a number in range (runs 1..20, seconds 1..120, --hold 0..200000, --wrk-connections 1..1000)";
                        return false;
                    }

                    options = arg switch
                    {
                        "--runs" => options with { Runs = n },
                        "--wrk-seconds" => options with { WrkSeconds = n },
                        "--iperf-seconds" => options with { IperfSeconds = n },
                        "--hold" => options with { HoldConnections = n },
                        "--hold-seconds" => options with { HoldSeconds = n },
                        _ => options with { WrkConnections = n },
                    };
                    i++;
                    break;
                default:
                    error = $"bad option '{arg}'";
                    return false;
            }
        }

        return true;
    }

    private static bool InRange(string option, int n) => option switch
    {
        "--runs" => n is >= 1 and <= 20,
        "--hold" => n is >= 0 and <= 200_000,
        "--wrk-connections" => n is >= 1 and <= 1000,
        _ => n is >= 1 and <= 120,
    };
}
