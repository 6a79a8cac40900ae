using System.Diagnostics;
using System.Text;

namespace Lvs.Lab;

/// <summary>
/// A long-running program the lab started (lvsd, nginx) with its output kept in memory. Stopping
/// it sends SIGTERM to its pid, waits, then kills it and its children; nothing is ever signalled
/// by name.
/// </summary>
public sealed class LabProcess : IDisposable
{
    // lvsd may log per connection; keep the tail, which is what explains a death.
    private const int MaxKeptChars = 256 * 1024;

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LabProcess(string name, Process process)
    {
        Name = name;
        _process = process;
    }

    /// <summary>A short name for messages (lvsd, nginx rs1).</summary>
    public string Name { get; }

    /// <summary>The operating-system pid.</summary>
    public int Pid => _process.Id;

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, or null while it runs.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>Its stdout and stderr interleaved by line, most recent part only.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Starts <paramref name="program"/> in the background.</summary>
    /// <exception cref="LabException">The program could not be started.</exception>
    public static LabProcess Start(string name, string program, IEnumerable<string> args)
    {
        var process = new Process { StartInfo = ProcessRunner.CreateStartInfo(program, args) };
        var lab = new LabProcess(name, process);
        process.OutputDataReceived += (_, e) => lab.Append(e.Data);
        process.ErrorDataReceived += (_, e) => lab.Append(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            process.Dispose();
            throw new LabException($"cannot start {name} ({program}): {ex.Message}");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return lab;
    }

    /// <summary>
    /// SIGTERM, then up to <paramref name="grace"/> for it to exit, then SIGKILL to it and its
    /// children. Returns true when it exited on its own after SIGTERM.
    /// </summary>
    public bool Stop(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return true;
        }

        // .NET can only SIGKILL; kill(1) gives the daemon its chance to remove its nftables rules.
        ProcessRunner.Run("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        if (_process.WaitForExit(grace))
        {
            _process.WaitForExit();
            return true;
        }

        ProcessRunner.KillTree(_process);
        _process.WaitForExit(TimeSpan.FromSeconds(5));
        return false;
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for the process to exit by itself; once it has, also
    /// for its output to be read to the end, so <see cref="Output"/> is complete.
    /// </summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }

        // Only the parameterless wait drains the asynchronous readers; the timed one may return first.
        _process.WaitForExit();
        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(5));
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Append(line).Append('\n');
            if (_output.Length > MaxKeptChars)
            {
                _output.Remove(0, _output.Length - MaxKeptChars / 2);
            }
        }
    }
}
