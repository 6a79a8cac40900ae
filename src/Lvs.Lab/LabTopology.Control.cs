using System.Globalization;

namespace Lvs.Lab;

// The control plane as an operator drives it (issue 5): lvsd restarted with other arguments
// (--config FILE) within one lab, SIGHUP to it, and lvsadm reading a restore file on stdin.
public abstract partial class LabTopology
{
    /// <summary>
    /// Starts bin/lvsd with <paramref name="extraArgs"/> (as <see cref="StartLvsd"/>), first stopping
    /// the lvsd already running, if any, with SIGTERM so it removes its nftables rules and socket.
    /// </summary>
    /// <exception cref="LabException">
    /// The running lvsd did not exit 0 within 10 s of SIGTERM, or the new one did not become ready.
    /// </exception>
    public LabProcess RestartLvsd(params string[] extraArgs)
    {
        if (Lvsd is { } running)
        {
            Log($"stopping lvsd (pid {running.Pid}) to start it again");
            bool stopped = running.Stop(TimeSpan.FromSeconds(10));
            if (!stopped || running.ExitCode != 0)
            {
                string how = stopped ? $"exited {running.ExitCode}" : "ignored SIGTERM and was killed";
                throw new LabException($"lvsd (pid {running.Pid}) {how} on SIGTERM:\n{running.Output}");
            }

            Lvsd = null;
        }

        return StartLvsd(extraArgs);
    }

    /// <summary>Sends <paramref name="signal"/> (a kill(1) name: HUP, TERM, ...) to the running lvsd, by its pid.</summary>
    /// <exception cref="InvalidOperationException">No lvsd was started.</exception>
    /// <exception cref="LabException">kill failed (lvsd had exited).</exception>
    public void SignalLvsd(string signal)
    {
        var lvsd = Lvsd ?? throw new InvalidOperationException("lvsd not started");
        ProcessRunner.Run("kill", ["-" + signal, lvsd.Pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5))
            .EnsureSuccess();
    }

    /// <summary>
    /// Runs bin/lvsadm against the lab's lvsd with <paramref name="stdin"/> as its standard input
    /// (for <c>-R</c>). The text goes through a file in <see cref="TempDirectory"/>, which is removed after.
    /// </summary>
    public ExecResult LvsadmWithInput(string stdin, params string[] args)
    {
        string input = Path.Combine(TempDirectory, "lvsadm-stdin-" + Path.GetRandomFileName());
        File.WriteAllText(input, stdin);
        try
        {
            // ProcessRunner closes stdin at once; sh redirects the file instead ($0 is the file,
            // "$@" the command), so no shell ever parses the arguments.
            return ProcessRunner.Run("sh", ["-c", "exec \"$@\" < \"$0\"", input, LvsBin.Program("lvsadm"), "--control", ControlPath, .. args],
                TimeSpan.FromSeconds(15));
        }
        finally
        {
            File.Delete(input);
        }
    }
}
