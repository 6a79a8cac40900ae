using System.Globalization;
using System.Text;
using Lvs.Contracts;

namespace Lvs.Admin.Output;

/// <summary>lvsadm's extension -L --drops: the data path's drop counters, one reason a line, sorted by reason.</summary>
internal static class DropsFormatter
{
    public static string Format(IReadOnlyList<DropCount> drops)
    {
        const string reasonTitle = "Reason";
        const string countTitle = "Count";
        var sorted = drops.OrderBy(d => d.Reason, StringComparer.Ordinal).ToList();
        int reasonWidth = reasonTitle.Length;
        int countWidth = countTitle.Length;
        foreach (DropCount drop in sorted)
        {
            reasonWidth = Math.Max(reasonWidth, drop.Reason.Length);
            countWidth = Math.Max(countWidth, drop.Count.ToString(CultureInfo.InvariantCulture).Length);
        }

        var sb = new StringBuilder();
        sb.Append(reasonTitle.PadRight(reasonWidth)).Append("  ").Append(countTitle.PadLeft(countWidth)).Append('\n');
        foreach (DropCount drop in sorted)
        {
            sb.Append(drop.Reason.PadRight(reasonWidth)).Append("  ")
              .Append(drop.Count.ToString(CultureInfo.InvariantCulture).PadLeft(countWidth)).Append('\n');
        }

        return sb.ToString();
    }
}
