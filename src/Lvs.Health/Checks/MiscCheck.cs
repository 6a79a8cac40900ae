using System.Diagnostics;
using System.Globalization;
using Lvs.Health.Config;

namespace Lvs.Health.Checks;

/// <summary>
/// keepalived's MISC_CHECK: runs misc_path through <c>/bin/sh -c</c>. Exit 0 is up; without
/// misc_dynamic anything else is down; with misc_dynamic, 1 is down and 2..255 is up with the
/// weight set to exit-2. A script still running after misc_timeout (default: delay_loop) is
/// killed with all its descendants and counts as down. Its output is read and discarded so a
/// chatty script cannot block on a full pipe. <c>user</c> is accepted and ignored (lvsd runs
/// scripts as itself).
/// </summary>
public sealed class MiscCheck : IHealthCheck
{
    internal MiscCheck(string command, bool dynamic, CheckTiming timing)
    {
        Command = command;
        Dynamic = dynamic;
        Timing = timing;
    }

    /// <summary>The shell command (misc_path).</summary>
    public string Command { get; }

    /// <summary>misc_dynamic: exit codes 2..255 set the weight.</summary>
    public bool Dynamic { get; }

    /// <inheritdoc/>
    public string Kind => "MISC_CHECK";

    /// <summary>The schedule; ConnectTimeout is misc_timeout.</summary>
    public CheckTiming Timing { get; }

    /// <inheritdoc/>
    public async Task<CheckResult> RunAsync(CancellationToken ct)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", Command },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("no process");
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return new CheckResult(false, $"cannot start /bin/sh: {e.Message}");
        }
        using (process)
        {
            process.StandardInput.Close();
            var drainOut = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            var drainErr = process.StandardError.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Timing.ConnectTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Kill(process);
                ct.ThrowIfCancellationRequested();
                return new CheckResult(false, $"script still running after misc_timeout {Timing.ConnectTimeout.TotalSeconds:0.###} s, killed");
            }
            // The pipes close when the last holder exits; a background grandchild could keep them
            // open, so waiting for them is bounded too.
            await Task.WhenAny(Task.WhenAll(drainOut, drainErr), Task.Delay(100, CancellationToken.None)).ConfigureAwait(false);
            return Interpret(process.ExitCode, Dynamic);
        }
    }

    /// <summary>keepalived's reading of a MISC_CHECK exit code.</summary>
    internal static CheckResult Interpret(int exitCode, bool dynamic)
    {
        var code = exitCode.ToString(CultureInfo.InvariantCulture);
        if (exitCode == 0)
        {
            return new CheckResult(true, "script exited 0");
        }
        if (dynamic && exitCode is >= 2 and <= 255)
        {
            return new CheckResult(true, $"script exited {code}: weight {exitCode - 2}", exitCode - 2);
        }
        return new CheckResult(false, $"script exited {code}");
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    internal static IHealthCheck? Create(BlockReader reader, CheckTarget target, TimeSpan serviceDelayLoop)
    {
        var common = new CommonOptions(target, serviceDelayLoop, defaultRetry: 0);
        string? path = null;
        TimeSpan? timeout = null;
        var dynamic = false;
        foreach (var line in reader.Block.Children)
        {
            if (common.TryTake(line, reader))
            {
                continue;
            }
            switch (line.Name)
            {
                case "misc_path":
                    if (reader.Text(line, out var text))
                    {
                        path = text;
                    }
                    break;
                case "misc_timeout":
                    if (reader.Timer(line, 86_400, out var t))
                    {
                        timeout = t;
                    }
                    break;
                case "misc_dynamic":
                    if (reader.Flag(line, out var on))
                    {
                        dynamic = on;
                    }
                    break;
                case "user":
                    reader.Warn(line, "user in MISC_CHECK is ignored: the script runs as lvsd's user");
                    break;
                default:
                    reader.Unknown(line);
                    break;
            }
        }
        if (!reader.Failed && path is null)
        {
            reader.Fail(reader.Block, "MISC_CHECK needs misc_path");
        }
        common.ConnectTimeout = timeout ?? common.DelayLoop;
        if (!common.Validate(reader, needsPort: false))
        {
            return null;
        }
        return new MiscCheck(path!, dynamic, common.Timing);
    }
}
