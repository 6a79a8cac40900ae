namespace Lvs.Admin.CommandLine;

/// <summary>
/// ipvsadm's commands_v_options table and generic_opt_check, for the options lvsadm builds, and
/// its tunnel_types_v_options table and tunnel_opt_check.
/// Key: '+' compulsory, 'x' illegal, '1' exclusive (only one '1' option per command), ' ' optional.
/// The columns keep ipvsadm's order, which decides which message a bad line gets first.
/// </summary>
internal static class OptionCheck
{
    /// <summary>
    /// ipvsadm's optnames, in its column order, for the options lvsadm takes; "drops", "json" and "health" are lvsadm's.
    /// --pe (not built) never reaches the check; the sync daemon commands check their options in ParseDaemon.
    /// </summary>
    public static readonly string[] Columns =
        [
            "numeric", "connection", "service-address", "scheduler", "persistent", "netmask", "real-server",
            "forwarding-method", "weight", "u-threshold", "l-threshold", "timeout", "stats", "rate", "thresholds",
            "persistent-conn", "nosort", "exact", "ops", "sched-flags", "tun-info", "tun-type", "tun-port",
            "tun-nocsum", "tun-csum", "tun-remcsum", "drops", "json", "health",
        ];

    internal static readonly Dictionary<AdminCommand, (string Name, string Row)> Rows = new()
    {
        // One character per entry of Columns, in its order (ipvsadm's commands_v_options without the columns lvsadm lacks):
        // -n -c svc -s -p -M -r fwd -w -x -y tot -st -rt thr -pc srt -ex ops -b | tinf type tprt nocs csum remc | drops json health.
        [AdminCommand.AddService] = ("add-service", "xx+   xxxxxxxxxxxx  xxxxxxxxx"),
        [AdminCommand.EditService] = ("edit-service", "xx+   xxxxxxxxxxxx  xxxxxxxxx"),
        [AdminCommand.DeleteService] = ("delete-service", "xx+xxxxxxxxxxxxxxxxxxxxxxxxxx"),
        [AdminCommand.Clear] = ("flush", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        [AdminCommand.List] = ("list", " 11xxxxxxxx1      xx xxxxx1  "),
        [AdminCommand.AddServer] = ("add-server", "xx+xxx+    xxxxxxxxxx     xxx"),
        [AdminCommand.DeleteServer] = ("delete-server", "xx+xxx+xxxxxxxxxxxxxxxxxxxxxx"),
        [AdminCommand.EditServer] = ("edit-server", "xx+xxx+    xxxxxxxxxx     xxx"),
        [AdminCommand.SetTimeouts] = ("set", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        [AdminCommand.Zero] = ("zero", "xx xxxxxxxxxxxxxxxxxxxxxxxxxx"),
        [AdminCommand.Drops] = ("drops", " xxxxxxxxxxxxxxxxxxxxxxxxxx x"),
        [AdminCommand.Vrrp] = ("vrrp", " xxxxxxxxxxxxxxxxxxxxxxxxxx x"),
        [AdminCommand.Save] = ("save", " xxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        [AdminCommand.Restore] = ("restore", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        [AdminCommand.Reload] = ("reload", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    };

    /// <summary>Throws ipvsadm's message for the first column, in order, that the options break.</summary>
    public static void Check(AdminCommand command, IReadOnlySet<string> given)
    {
        (string name, string row) = Rows[command];
        string? firstExclusive = null;
        for (int j = 0; j < Columns.Length; j++)
        {
            char rule = row[j];
            if (!given.Contains(Columns[j]))
            {
                if (rule == '+')
                {
                    throw Errors.Fail($"You need to supply the '{Columns[j]}' option for the '{name}' command");
                }

                continue;
            }

            if (rule == 'x')
            {
                throw Errors.Fail($"Illegal '{Columns[j]}' option with the '{name}' command");
            }

            if (rule == '1')
            {
                if (firstExclusive is null)
                {
                    firstExclusive = Columns[j];
                    continue;
                }

                throw Errors.Fail($"The option '{Columns[j]}' conflicts with the '{firstExclusive}' option in the '{name}' command");
            }
        }
    }

    /// <summary>ipvsadm's tunnel option names (its tunopts), the columns of <see cref="s_tunnelRows"/>.</summary>
    private static readonly string[] s_tunnelColumns = ["tun-port", "tun-nocsum", "tun-csum", "tun-remcsum"];

    /// <summary>ipvsadm 1.31's tunnel_types_v_options: GUE needs a port; GRE takes no port and no remote checksum.</summary>
    private static readonly Dictionary<string, string> s_tunnelRows = new()
    {
        // tun-port, tun-nocsum, tun-csum, tun-remcsum.
        ["ipip"] = "xxxx",
        ["gue"] = "+111",
        ["gre"] = "x11x",
    };

    /// <summary>The tunnel types ipvsadm 1.31 knows (its tunnames).</summary>
    public static IReadOnlyCollection<string> TunnelTypes => s_tunnelRows.Keys;

    /// <summary>
    /// tunnel_opt_check: ipvsadm runs it for every -a/-e, with the tunnel type (ipip unless
    /// --tun-type said otherwise), after refusing tunnel options for a method other than -i.
    /// </summary>
    public static void CheckTunnel(string tunnelType, IReadOnlySet<string> given)
    {
        string row = s_tunnelRows[tunnelType];
        string? firstExclusive = null;
        for (int j = 0; j < s_tunnelColumns.Length; j++)
        {
            string option = s_tunnelColumns[j];
            if (!given.Contains(option))
            {
                if (row[j] == '+')
                {
                    throw Errors.Fail($"You need to supply the '{option}' option for the '{tunnelType}' tunnel type");
                }

                continue;
            }

            if (row[j] == 'x')
            {
                throw Errors.Fail($"Illegal '{option}' option with the '{tunnelType}' tunnel type");
            }

            if (row[j] == '1')
            {
                if (firstExclusive is null)
                {
                    firstExclusive = option;
                    continue;
                }

                throw Errors.Fail($"The option '{option}' conflicts with the '{firstExclusive}' option in the '{tunnelType}' tunnel type");
            }
        }
    }
}
