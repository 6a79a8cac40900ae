using System.Globalization;
using System.Text;

namespace Lvs.Lab.Bench;

/// <summary>The columns of the bench table.</summary>
internal enum Metric
{
    Cps,
    Download,
    Upload,
    UdpKpps,
    Held,
    RssMiB,
    CpuPercent,
}

/// <summary>
/// Every sample of every (row, metric), and the table made of them: medians with min–max over
/// the runs and the ratio to the nftables DNAT row. A cell is a number, "n/a" (the balancer
/// cannot do it, or has no process of its own to measure) or "failed" (see the notes).
/// </summary>
internal sealed class BenchResults(IReadOnlyList<(string Id, string Title)> rows)
{
    /// <summary>The row every ratio compares with.</summary>
    public const string BaselineRow = "nft";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly Dictionary<(string, Metric), List<double>> _samples = [];
    private readonly HashSet<(string, Metric)> _notApplicable = [];
    private readonly List<string> _notes = [];

    public IReadOnlyList<(string Id, string Title)> Rows => rows;

    public IReadOnlyList<string> Notes => _notes;

    public static string Header(Metric m) => m switch
    {
        Metric.Cps => "New conn/s",
        Metric.Download => "Download Gbit/s",
        Metric.Upload => "Upload Gbit/s",
        Metric.UdpKpps => "UDP 64 B kpps",
        Metric.Held => "Idle conns held",
        Metric.RssMiB => "RSS MiB (held)",
        _ => "CPU % (held, idle)",
    };

    public void Add(string row, Metric m, double value)
    {
        if (!_samples.TryGetValue((row, m), out var list))
        {
            _samples[(row, m)] = list = [];
        }

        list.Add(value);
    }

    public void NotApplicable(string row, Metric m) => _notApplicable.Add((row, m));

    public void Fail(string row, Metric m, string why)
    {
        _notes.Add($"{row} {Header(m)}: {why.Split('\n')[0]}");
        Add(row, m, double.NaN);
    }

    /// <summary>Median, min and max of the row's valid samples, or null when there are none.</summary>
    public (double Median, double Min, double Max, int Count)? Summary(string row, Metric m)
    {
        if (!_samples.TryGetValue((row, m), out var list))
        {
            return null;
        }

        var valid = list.Where(v => !double.IsNaN(v)).Order().ToList();
        if (valid.Count == 0 || valid.Count < list.Count)
        {
            return null; // a failed run makes the cell "failed", not a median of the rest
        }

        double median = valid.Count % 2 == 1 ? valid[valid.Count / 2] : (valid[valid.Count / 2 - 1] + valid[valid.Count / 2]) / 2;
        return (median, valid[0], valid[^1], valid.Count);
    }

    public string Cell(string row, Metric m)
    {
        if (_notApplicable.Contains((row, m)))
        {
            return "n/a";
        }

        if (Summary(row, m) is not { } s)
        {
            return _samples.ContainsKey((row, m)) ? "failed" : "not run";
        }

        var sb = new StringBuilder(Format(m, s.Median));
        if (s.Count > 1)
        {
            sb.Append(Inv, $" ({Format(m, s.Min)}–{Format(m, s.Max)})");
        }

        if (row != BaselineRow && Summary(BaselineRow, m) is { Median: > 0 } baseline)
        {
            sb.Append(Inv, $" ×{s.Median / baseline.Median:F2}");
        }

        return sb.ToString();
    }

    public static string Format(Metric m, double v) => m switch
    {
        Metric.Cps or Metric.Held => v.ToString("N0", Inv),
        Metric.Download or Metric.Upload => v.ToString("F2", Inv),
        _ => v.ToString("F1", Inv),
    };

    /// <summary>The table as Markdown, one row per balancer.</summary>
    public string MarkdownTable()
    {
        var metrics = Enum.GetValues<Metric>();
        var sb = new StringBuilder();
        sb.Append("| Balancer | ").AppendJoin(" | ", metrics.Select(Header)).Append(" |\n");
        sb.Append("|---|").AppendJoin("", metrics.Select(_ => "---:|")).Append('\n');
        foreach (var (id, title) in rows)
        {
            sb.Append(Inv, $"| {title} (`{id}`) | ").AppendJoin(" | ", metrics.Select(m => Cell(id, m))).Append(" |\n");
        }

        return sb.ToString();
    }
}
