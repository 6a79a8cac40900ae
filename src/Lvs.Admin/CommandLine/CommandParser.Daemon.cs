using Lvs.Contracts;

namespace Lvs.Admin.CommandLine;

/// <summary>--start-daemon and --stop-daemon with ipvsadm's daemon options and messages.</summary>
internal sealed partial class CommandParser
{
    private static readonly OptionId[] s_daemonOptions =
        [OptionId.McastInterface, OptionId.SyncId, OptionId.SyncMaxLen, OptionId.McastGroup, OptionId.McastPort, OptionId.McastTtl];

    private static ParsedCommand ParseDaemon(AdminCommand command, OptionToken first, List<OptionToken> options,
        IReadOnlyList<string> leftovers, string? controlPath)
    {
        string name = command == AdminCommand.StartDaemon ? "start-daemon" : "stop-daemon";
        string state = first.Argument ?? "";
        if (state is not ("master" or "backup"))
        {
            throw Errors.Fail($"illegal {name} parameter specified");
        }

        var spec = new SyncDaemonSpec(state);
        var given = new HashSet<OptionId>();
        for (int i = 1; i < options.Count; i++)
        {
            OptionToken token = options[i];
            if (token.Spec is not { } option)
            {
                throw Errors.PoptError(token.Word, token.Error ?? Tokenizer.UnknownOption);
            }

            // --stop-daemon takes the state only; --start-daemon its daemon options, each once.
            if (command == AdminCommand.StopDaemon || !s_daemonOptions.Contains(option.Id))
            {
                throw Errors.Fail($"Illegal '{option.Long}' option with the '{name}' command");
            }

            if (!given.Add(option.Id))
            {
                throw Errors.Fail($"multiple '{option.Long}' options specified");
            }

            string v = token.Argument ?? "";
            spec = option.Id switch
            {
                OptionId.McastInterface => v.Length is > 0 and < 16 ? spec with { Interface = v } : throw Errors.Fail("illegal mcast-interface specified"),
                OptionId.SyncId => spec with { SyncId = Number(v, 0, 255, "illegal syncid specified") },
                OptionId.SyncMaxLen => spec with { MaxLength = Number(v, 1, 65535 - 20 - 8, "illegal sync-maxlen specified") },
                OptionId.McastGroup => global::System.Net.IPAddress.TryParse(v, out _) ? spec with { Group = v } : throw Errors.Fail("illegal mcast-group specified"),
                OptionId.McastPort => spec with { Port = Number(v, 1, 65535, "illegal mcast-port specified") },
                _ => spec with { Ttl = Number(v, 1, 255, "illegal mcast-ttl specified") },
            };
        }

        if (leftovers.Count > 0)
        {
            throw Errors.Fail($"unexpected argument {leftovers[0]}");
        }

        if (command == AdminCommand.StartDaemon && spec.Interface is null)
        {
            throw Errors.Fail("You need to supply the 'mcast-interface' option for the 'start-daemon' command");
        }

        return new ParsedCommand(command) { Daemon = spec, ControlPath = controlPath };
    }

    private static int Number(string text, int min, int max, string error)
    {
        int value = AddressParser.StringToNumber(text, min, max);
        return value >= 0 ? value : throw Errors.Fail(error);
    }
}
