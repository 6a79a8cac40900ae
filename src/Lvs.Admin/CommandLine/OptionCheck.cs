namespace Lvs.Admin.CommandLine;

/// <summary>
/// ipvsadm's commands_v_options table and generic_opt_check, for the options lvsadm builds, and
/// its tunnel_types_v_options table and tunnel_opt_check.
/// Key: '+' compulsory, 'x' illegal, '1' exclusive (only one '1' option per command), ' ' optional.
/// The columns keep ipvsadm's order, which decides which message a bad line gets first.
/// </summary>
internal static class OptionCheck
{
    /// <summary>ipvsadm's optnames, in its column order; "drops" is lvsadm's.</summary>
    public static readonly string[] Columns =
        [
            "numeric", "service-address", "scheduler", "real-server", "forwarding-method", "weight", "stats", "nosort", "exact",
            "tun-info", "tun-type", "tun-port", "tun-nocsum", "tun-csum", "tun-remcsum", "drops",
        ];

    private static readonly Dictionary<AdminCommand, (string Name, string Row)> s_rows = new()
    {
        // One character per entry of Columns, in its order:
        // n svc s r fwd w stats nosort exact | tun-info tun-type tun-port tun-nocsum tun-csum tun-remcsum | drops.
        [AdminCommand.AddService] = ("add-service", "x+ xxxxxxxxxxxxx"),
        [AdminCommand.EditService] = ("edit-service", "x+ xxxxxxxxxxxxx"),
        [AdminCommand.DeleteService] = ("delete-service", "x+xxxxxxxxxxxxxx"),
        [AdminCommand.Clear] = ("flush", "xxxxxxxxxxxxxxxx"),
        [AdminCommand.List] = ("list", " 1xxxx    xxxxx1"),
        [AdminCommand.AddServer] = ("add-server", "x+x+  xxxx     x"),
        [AdminCommand.DeleteServer] = ("delete-server", "x+x+xxxxxxxxxxxx"),
        [AdminCommand.EditServer] = ("edit-server", "x+x+  xxxx     x"),
        [AdminCommand.Zero] = ("zero", "x xxxxxxxxxxxxxx"),
        [AdminCommand.Drops] = ("drops", " xxxxxxxxxxxxxxx"),
    };

    /// <summary>Throws ipvsadm's message for the first column, in order, that the options break.</summary>
    public static void Check(AdminCommand command, IReadOnlySet<string> given)
    {
        (string name, string row) = s_rows[command];
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
