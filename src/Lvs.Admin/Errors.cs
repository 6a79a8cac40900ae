using Lvs.Admin.CommandLine;
using Lvs.Contracts;

namespace Lvs.Admin;

/// <summary>
/// lvsadm's messages and exit codes. Those of ipvsadm 1.31 are its own words: fail() prints
/// the message and exits 2; tryhelp_exit and a failed kernel call exit with -1, i.e. 255;
/// a failed listing exits 1. lvsadm's own refusals ("not built yet", lvsd unreachable) exit 1.
/// </summary>
internal static class Errors
{
    public const string Program = "lvsadm";

    /// <summary>fail(2, ...): an argument ipvsadm rejects.</summary>
    public const int BadArgumentExit = 2;

    /// <summary>exit(-1): tryhelp_exit, popt errors, and a kernel (here: lvsd) refusing a change.</summary>
    public const int CommandFailedExit = 255;

    /// <summary>exit(1): a listing that failed.</summary>
    public const int ListFailedExit = 1;

    /// <summary>lvsadm's own: an option not built yet, or lvsd unreachable.</summary>
    public const int NotAvailableExit = 1;

    public static string TryHelp => $"Try `{Program} -h' or '{Program} --help' for more information.";

    public static CommandLineException TryHelpExit() => new(CommandFailedExit, TryHelp);

    public static CommandLineException Fail(string message) => new(BadArgumentExit, message);

    public static CommandLineException PoptError(string word, string error) => new(CommandFailedExit, $"{word}: {error}");

    public static CommandLineException NotBuilt(string what) => new(NotAvailableExit, $"{Program}: {what} is not built yet");

    public static CommandLineException NotBuilt(OptionSpec spec) => NotBuilt($"{spec.Display} ({spec.NotBuilt})");

    /// <summary>
    /// libipvs's ipvs_strerror for a refusal of lvsd: the same error reads differently per call
    /// (ESRCH is "Service not defined" for real-server commands).
    /// </summary>
    public static string DaemonRefusal(AdminCommand command, ControlResponse response)
    {
        bool serverCommand = command is AdminCommand.AddServer or AdminCommand.EditServer or AdminCommand.DeleteServer;
        return response.Error switch
        {
            ControlError.ServiceExists => "Service already exists",
            ControlError.NoSuchService => serverCommand ? "Service not defined" : "No such service",
            ControlError.DestinationExists => "Destination already exists",
            ControlError.NoSuchDestination => "No such destination",
            _ => string.IsNullOrEmpty(response.Message) ? $"lvsd refused the request ({response.Error})" : response.Message,
        };
    }

    public static string Unreachable(ControlUnavailableException e) => $"{Program}: {e.Message} (is lvsd running?)";
}
