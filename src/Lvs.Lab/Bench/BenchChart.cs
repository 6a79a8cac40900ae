using System.Globalization;
using System.Net;
using System.Text;

namespace Lvs.Lab.Bench;

/// <summary>
/// An SVG bar chart of the bench: one panel per throughput metric, a bar per balancer at its
/// median with a whisker from min to max, the nftables DNAT baseline and lvsd rows coloured.
/// </summary>
internal static class BenchChart
{
    private const int Width = 980;
    private const int LabelWidth = 230;
    private const int BarHeight = 18;
    private const int Gap = 6;
    private static readonly Metric[] Panels = [Metric.Cps, Metric.Download, Metric.Upload, Metric.UdpKpps, Metric.RssMiB];

    public static string Render(BenchResults results, string subtitle)
    {
        var inv = CultureInfo.InvariantCulture;
        int panelHeight = 30 + results.Rows.Count * (BarHeight + Gap) + 10;
        int height = 50 + Panels.Length * panelHeight;
        var sb = new StringBuilder();
        sb.Append(inv, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append(inv, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n");
        sb.Append(inv, $"<text x=\"10\" y=\"22\" font-size=\"16\" font-weight=\"bold\">lvs-lab bench: medians, whiskers min–max</text>\n");
        sb.Append(inv, $"<text x=\"10\" y=\"40\" fill=\"#555\">{WebUtility.HtmlEncode(subtitle)}</text>\n");
        int y = 50;
        foreach (var metric in Panels)
        {
            sb.Append(inv, $"<text x=\"10\" y=\"{y + 18}\" font-weight=\"bold\">{WebUtility.HtmlEncode(BenchResults.Header(metric))}</text>\n");
            var summaries = results.Rows.Select(r => (r.Id, r.Title, S: results.Summary(r.Id, metric))).ToList();
            double max = summaries.Where(s => s.S is not null).Select(s => s.S!.Value.Max).DefaultIfEmpty(1).Max();
            max = max <= 0 ? 1 : max;
            double scale = (Width - LabelWidth - 140) / max;
            int by = y + 28;
            foreach (var (id, title, s) in summaries)
            {
                sb.Append(inv, $"<text x=\"{LabelWidth - 8}\" y=\"{by + 13}\" text-anchor=\"end\">{WebUtility.HtmlEncode(title)}</text>\n");
                string cell = results.Cell(id, metric);
                if (s is { } v)
                {
                    string colour = id == BenchResults.BaselineRow ? "#e39b2f" : id.StartsWith("lvs-", StringComparison.Ordinal) ? "#2f6fe3" : "#9aa3ad";
                    sb.Append(inv, $"<rect x=\"{LabelWidth}\" y=\"{by}\" width=\"{Math.Max(1, v.Median * scale):F1}\" height=\"{BarHeight}\" fill=\"{colour}\"/>\n");
                    if (v.Count > 1)
                    {
                        double x0 = LabelWidth + v.Min * scale, x1 = LabelWidth + v.Max * scale, my = by + BarHeight / 2.0;
                        sb.Append(inv, $"<line x1=\"{x0:F1}\" y1=\"{my:F1}\" x2=\"{x1:F1}\" y2=\"{my:F1}\" stroke=\"black\"/>\n");
                        sb.Append(inv, $"<line x1=\"{x0:F1}\" y1=\"{by + 4}\" x2=\"{x0:F1}\" y2=\"{by + BarHeight - 4}\" stroke=\"black\"/>\n");
                        sb.Append(inv, $"<line x1=\"{x1:F1}\" y1=\"{by + 4}\" x2=\"{x1:F1}\" y2=\"{by + BarHeight - 4}\" stroke=\"black\"/>\n");
                    }

                    sb.Append(inv, $"<text x=\"{LabelWidth + v.Max * scale + 6:F1}\" y=\"{by + 13}\">{WebUtility.HtmlEncode(BenchResults.Format(metric, v.Median))}</text>\n");
                }
                else
                {
                    sb.Append(inv, $"<text x=\"{LabelWidth + 4}\" y=\"{by + 13}\" fill=\"#888\">{WebUtility.HtmlEncode(cell)}</text>\n");
                }

                by += BarHeight + Gap;
            }

            y += panelHeight;
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }
}
