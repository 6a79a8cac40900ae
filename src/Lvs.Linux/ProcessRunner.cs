using System.Diagnostics;

namespace Lvs.Linux;

/// <summary>The outcome of <see cref="ProcessRunner.Run"/>.</summary>
/// <param name="ExitCode">The exit code; -1 when the process timed out and was killed.</param>
/// <param name="Stdout">Everything it wrote to stdout.</param>
/// <param name="Stderr">Everything it wrote to stderr.</param>
/// <param name="TimedOut">True when it ran past the timeout and was killed.</param>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    /// <summary>Exited by itself with code 0.</summary>
    public bool Succeeded => !TimedOut && ExitCode == 0;
}

/// <summary>
/// Runs a program with arguments passed as a list (no shell, so nothing is re-parsed),
/// optional stdin, a timeout, and captured output. On timeout it kills exactly the process
/// it started (and that process's children), by pid.
/// </summary>
public static class ProcessRunner
{
    /// <summary>Runs <paramref name="fileName"/> to completion or until <paramref name="timeout"/>.</summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The program cannot be started.</exception>
    public static ProcessResult Run(string fileName, IEnumerable<string> arguments, string? stdin, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {fileName}");

        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            try
            {
                process.StandardInput.Write(stdin);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // The child exited without reading all input; its exit code and stderr say why.
            }
        }

        if (!process.WaitForExit(timeout))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited between the timeout and the kill.
            }

            process.WaitForExit();
            return new ProcessResult(-1, stdout.Result, stderr.Result, TimedOut: true);
        }

        // The parameterless wait also waits for the redirected streams to reach EOF.
        process.WaitForExit();
        return new ProcessResult(process.ExitCode, stdout.Result, stderr.Result, TimedOut: false);
    }
}
