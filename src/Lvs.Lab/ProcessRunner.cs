using System.Diagnostics;
using System.Text;

namespace Lvs.Lab;

/// <summary>
/// Runs external programs (ip, nginx, curl, lvsd, ...) with their output captured and a hard
/// timeout. The lab makes no native calls of its own: everything goes through these tools,
/// the same way a person would build the lab by hand.
/// </summary>
public static class ProcessRunner
{
    /// <summary>Runs a program to completion, killing it (and its children) past the timeout.</summary>
    public static ExecResult Run(string program, IEnumerable<string> args, TimeSpan timeout)
    {
        using var process = new Process { StartInfo = CreateStartInfo(program, args) };
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        string commandLine = Describe(process.StartInfo);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new ExecResult(commandLine, 127, "", ex.Message, TimedOut: false);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool timedOut = !process.WaitForExit(timeout);
        if (timedOut)
        {
            KillTree(process);
        }

        // The parameterless wait drains the asynchronous readers, so the output is complete.
        process.WaitForExit();
        lock (stdout)
        {
            lock (stderr)
            {
                return new ExecResult(commandLine, timedOut ? -1 : process.ExitCode, stdout.ToString(), stderr.ToString(), timedOut);
            }
        }
    }

    /// <summary>Start info with every stream redirected and the program resolved on an sbin-aware PATH.</summary>
    internal static ProcessStartInfo CreateStartInfo(string program, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Tools.Resolve(program))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    internal static string Describe(ProcessStartInfo info) =>
        string.Join(' ', new[] { info.FileName }.Concat(info.ArgumentList.Select(Quote)));

    internal static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited between the check and the kill.
        }
    }

    private static void Append(StringBuilder sb, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (sb)
        {
            sb.Append(line).Append('\n');
        }
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=,@%+".Contains(c)) ? arg : $"'{arg}'";
}
