using System.Net;
using System.Text;
using Lvs.Core.Services;
using Lvs.Daemon.Config;
using Lvs.Health;

namespace Lvs.Daemon.Health;

/// <summary>The conversions between lvsd's configuration model and Lvs.Health's family-neutral one.</summary>
internal static class HealthBlocks
{
    /// <summary>A checker statement as a <see cref="HealthBlock"/>, children included, located "file:line:col".</summary>
    public static HealthBlock ToBlock(KeepalivedNode node) =>
        new(node.Name, [.. node.Arguments.Select(a => a.Text)], [.. (node.Children ?? []).Select(ToBlock)], node.Location.ToString());

    /// <summary>Checkers take <see cref="IPAddress"/>; the table's addresses are <see cref="InetAddress"/>. The one place that converts.</summary>
    public static IPAddress ToAddress(InetAddress address) => address.ToIPAddress();

    /// <summary>The blocks as text, so a reload can tell whether a server's checks changed.</summary>
    public static string Signature(IEnumerable<KeepalivedNode> nodes)
    {
        var sb = new StringBuilder();
        foreach (KeepalivedNode n in nodes)
        {
            Append(sb, n);
        }

        return sb.ToString();
    }

    /// <summary>The first argument of the named statement in <paramref name="node"/>'s block (a script line, a number), or null.</summary>
    public static string? Value(KeepalivedNode node, string keyword) =>
        node.ChildrenNamed(keyword).LastOrDefault() is { } n && n.Arguments.Count > 0
            ? string.Join(' ', n.Arguments.Select(a => a.Text))
            : null;

    /// <summary>Whether the flag statement (alpha, omega) is present and not switched off.</summary>
    public static bool Flag(KeepalivedNode node, string keyword) =>
        node.ChildrenNamed(keyword).LastOrDefault() is { } n && ConfigValues.TryParseBool(n.Argument(0), out bool on) && on;

    private static void Append(StringBuilder sb, KeepalivedNode n)
    {
        sb.Append(n.Name);
        foreach (KeepalivedToken a in n.Arguments)
        {
            sb.Append(' ').Append(a.Quoted ? $"\"{a.Text}\"" : a.Text);
        }

        if (n.Children is { } children)
        {
            sb.Append('{');
            foreach (KeepalivedNode c in children)
            {
                Append(sb, c);
                sb.Append(';');
            }

            sb.Append('}');
        }

        sb.Append(';');
    }
}
