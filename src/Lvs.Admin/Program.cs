using System.Net.Sockets;
using System.Text.Json;
using Lvs.Admin.CommandLine;
using Lvs.Admin.Execution;
using Lvs.Admin.Output;
using Lvs.Contracts;

namespace Lvs.Admin;

/// <summary>lvsadm: the ipvsadm-compatible command line of lvsd.</summary>
public static class Program
{
    public static int Main(string[] args) => Run(args, Console.In, Console.Out, Console.Error);

    /// <summary>Runs one lvsadm command line with the console's stdin (read by -R); returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Run(args, Console.In, stdout, stderr);

    /// <summary>Runs one lvsadm command line; returns the process exit code. Never throws for bad input or a missing lvsd.</summary>
    /// <param name="stdin">What -R reads its commands from.</param>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr) =>
        Run(args, stdin, stdout, stderr, static (path, request) => ControlSocket.Send(path, request), CommandParser.System,
            new SystemNameResolver(ServicesDatabase.System));

    internal static int Run(
        IReadOnlyList<string> args,
        TextReader stdin,
        TextWriter stdout,
        TextWriter stderr,
        Func<string, ControlRequest, ControlResponse> send,
        CommandParser parser,
        INameResolver names)
    {
        ParsedCommand command;
        try
        {
            command = parser.Parse(args);
        }
        catch (CommandLineException e)
        {
            stderr.Write(e.Message + "\n");
            return e.ExitCode;
        }

        try
        {
            return new CommandRunner(send, names, parser).Run(command, stdin, stdout, stderr);
        }
        catch (ControlUnavailableException e)
        {
            stderr.Write(Errors.Unreachable(e) + "\n");
            return Errors.NotAvailableExit;
        }
        catch (Exception e) when (e is SocketException or IOException or JsonException or InvalidDataException or TimeoutException)
        {
            // A daemon that answers badly or too slowly: one line, never a stack trace.
            string path = ControlSocket.Resolve(command.ControlPath);
            stderr.Write($"{Errors.Program}: lvsd at {path} did not answer properly: {e.Message}\n");
            return Errors.NotAvailableExit;
        }
    }
}
