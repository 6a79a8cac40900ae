using System.Globalization;
using Lvs.Contracts;

namespace Lvs.Admin.Output;

/// <summary>ipvsadm's print_daemon line for one sync daemon.</summary>
internal static class DaemonFormatter
{
    /// <summary>e.g. "master sync daemon (mcast=eth0, syncid=1, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)".</summary>
    public static string Line(SyncDaemonStatus d)
    {
        var s = new System.Text.StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"{d.State} sync daemon (mcast={d.Interface}, syncid={d.SyncId}");
        if (d.MaxLength != 0)
        {
            s.Append(CultureInfo.InvariantCulture, $", maxlen={d.MaxLength}");
        }

        if (d.Group.Length > 0)
        {
            s.Append(CultureInfo.InvariantCulture, $", group={d.Group}");
        }

        if (d.Port != 0)
        {
            s.Append(CultureInfo.InvariantCulture, $", port={d.Port}");
        }

        if (d.Ttl != 0)
        {
            s.Append(CultureInfo.InvariantCulture, $", ttl={d.Ttl}");
        }

        return s.Append(')').ToString();
    }
}
