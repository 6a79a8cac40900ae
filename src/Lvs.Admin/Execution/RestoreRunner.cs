using Lvs.Admin.CommandLine;
using Lvs.Contracts;

namespace Lvs.Admin.Execution;

/// <summary>
/// lvsadm -R: every line of stdin is parsed as ipvsadm's restore_table parses it (as a command
/// line of its own), then all of them go to lvsd as one <see cref="Commands.Batch"/>, which lvsd
/// applies all or nothing. Unlike ipvsadm, which applies line after line and stops at the first
/// bad one with the earlier ones applied, nothing is sent unless every line parses, and a
/// refusal by lvsd changes nothing either. Every error names its line.
/// </summary>
internal sealed class RestoreRunner(CommandParser parser, Func<string, ControlRequest, ControlResponse> send)
{
    /// <summary>The commands a restore may hold: the ones that change services and servers (what lvsd batches).</summary>
    private static readonly Dictionary<AdminCommand, string> s_batchable = new()
    {
        [AdminCommand.AddService] = "-A",
        [AdminCommand.EditService] = "-E",
        [AdminCommand.DeleteService] = "-D",
        [AdminCommand.Clear] = "-C",
        [AdminCommand.AddServer] = "-a",
        [AdminCommand.EditServer] = "-e",
        [AdminCommand.DeleteServer] = "-d",
    };

    public int Run(ParsedCommand restore, TextReader stdin, TextWriter stderr)
    {
        List<RestoreLine> lines = RestoreInput.Read(stdin);
        var commands = new List<(RestoreLine Line, ParsedCommand Command)>(lines.Count);
        foreach (RestoreLine line in lines)
        {
            ParsedCommand command;
            try
            {
                command = parser.Parse(line.Words);
            }
            catch (CommandLineException e)
            {
                stderr.Write(LineError(line, WithoutProgram(e.Message)));
                return e.ExitCode;
            }

            if (!s_batchable.ContainsKey(command.Command))
            {
                // ipvsadm would list, zero, set timeouts or recurse (-R: tryhelp_exit) in the middle
                // of a restore; none of that belongs in an all-or-nothing change.
                stderr.Write(LineError(line, $"{line.Words[0]} cannot be part of a restore (only -A, -E, -D, -C, -a, -e and -d)"));
                return Errors.BadArgumentExit;
            }

            if (command.ControlPath is not null)
            {
                stderr.Write(LineError(line, "--control cannot be part of a restore line"));
                return Errors.BadArgumentExit;
            }

            commands.Add((line, command));
        }

        var request = new ControlRequest
        {
            Command = Commands.Batch,
            Batch = [.. commands.Select(c => CommandRunner.BuildRequest(c.Command))],
        };
        ControlResponse response = send(ControlSocket.Resolve(restore.ControlPath), request);
        if (response.Ok)
        {
            return 0;
        }

        if (response.FailedIndex is int index && index >= 0 && index < commands.Count)
        {
            (RestoreLine line, ParsedCommand command) = commands[index];
            stderr.Write(LineError(line, Errors.DaemonRefusal(command.Command, response)));
        }
        else
        {
            stderr.Write($"{Errors.Program}: restore refused, nothing changed: {Errors.DaemonRefusal(AdminCommand.Restore, response)}\n");
        }

        return Errors.CommandFailedExit;
    }

    private static string LineError(RestoreLine line, string message) =>
        $"{Errors.Program}: line {line.Number}: {message.TrimEnd('\n')}\n";

    /// <summary>lvsadm's own refusals already start with "lvsadm: "; the line prefix says it once.</summary>
    private static string WithoutProgram(string message) =>
        message.StartsWith(Errors.Program + ": ", StringComparison.Ordinal) ? message[(Errors.Program.Length + 2)..] : message;
}
