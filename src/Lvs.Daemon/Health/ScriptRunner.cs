using System.Diagnostics;
using Lvs.Linux;

namespace Lvs.Daemon.Health;

/// <summary>
/// Runs notify_up/notify_down/quorum_up/quorum_down scripts as keepalived does (through /bin/sh -c),
/// off the supervisor's thread, a few at a time, each killed (by its own pid, with its children)
/// when it outlives <see cref="Timeout"/>. Output is discarded; the exit code is logged.
/// </summary>
internal sealed class ScriptRunner(int maxConcurrent = 4)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _slots = new(maxConcurrent);

    /// <summary>Starts <paramref name="script"/> and returns at once; the task completes when it ended or was killed.</summary>
    public Task Run(string script, string why) => Task.Run(() => RunAsync(script, why));

    private async Task RunAsync(string script, string why)
    {
        await _slots.WaitAsync().ConfigureAwait(false);
        try
        {
            var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(script);
            using var process = new Process { StartInfo = psi };
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                Log.Error("health script did not start", ("script", script), ("for", why), ("error", e.Message));
                return;
            }

            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var limit = new CancellationTokenSource(Timeout);
            try
            {
                await process.WaitForExitAsync(limit.Token).ConfigureAwait(false);
                Log.Info("health script ran", ("script", script), ("for", why), ("exit", process.ExitCode));
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Log.Warn("health script killed", ("script", script), ("for", why), ("after", Timeout));
            }
        }
        finally
        {
            _slots.Release();
        }
    }
}
