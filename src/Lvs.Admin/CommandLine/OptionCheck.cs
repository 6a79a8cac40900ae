namespace Lvs.Admin.CommandLine;

/// <summary>
/// ipvsadm's commands_v_options table and generic_opt_check, for the options lvsadm builds.
/// Key: '+' compulsory, 'x' illegal, '1' exclusive (only one '1' option per command), ' ' optional.
/// The columns keep ipvsadm's order, which decides which message a bad line gets first.
/// </summary>
internal static class OptionCheck
{
    /// <summary>ipvsadm's optnames, in its column order; "drops" is lvsadm's.</summary>
    public static readonly string[] Columns =
        ["numeric", "service-address", "scheduler", "real-server", "forwarding-method", "weight", "stats", "nosort", "exact", "drops"];

    private static readonly Dictionary<AdminCommand, (string Name, string Row)> s_rows = new()
    {
        // One character per entry of Columns: n, svc, s, r, fwd, w, stats, nosort, exact, drops.
        [AdminCommand.AddService] = ("add-service", "x+ xxxxxxx"),
        [AdminCommand.EditService] = ("edit-service", "x+ xxxxxxx"),
        [AdminCommand.DeleteService] = ("delete-service", "x+xxxxxxxx"),
        [AdminCommand.Clear] = ("flush", "xxxxxxxxxx"),
        [AdminCommand.List] = ("list", " 1xxxx   1"),
        [AdminCommand.AddServer] = ("add-server", "x+x+  xxxx"),
        [AdminCommand.DeleteServer] = ("delete-server", "x+x+xxxxxx"),
        [AdminCommand.EditServer] = ("edit-server", "x+x+  xxxx"),
        [AdminCommand.Zero] = ("zero", "x xxxxxxxx"),
        [AdminCommand.Drops] = ("drops", " xxxxxxxxx"),
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
}
