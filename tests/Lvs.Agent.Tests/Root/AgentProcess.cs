using System.Diagnostics;
using System.Text;

namespace Lvs.Agent.Tests.Root;

/// <summary>
/// bin/lvs-agent running inside a namespace (`ip netns exec` execs it, so the pid is the
/// agent's). Stopped with SIGTERM by pid; <see cref="Dispose"/> kills it if a test failed first.
/// </summary>
internal sealed class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();

    private AgentProcess(Process process) => _process = process;

    /// <summary>Everything the agent logged so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    public static string Binary
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Lvs.slnx")))
            {
                dir = dir.Parent;
            }

            string path = Path.Combine(dir?.FullName ?? throw new InvalidOperationException("Lvs.slnx not found above the test binaries"), "bin", "lvs-agent");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} missing: build src/Lvs.Agent first");
        }
    }

    /// <summary>Starts the agent in <paramref name="ns"/> and waits (bounded) for its "ready" line.</summary>
    public static AgentProcess Start(AgentNamespace ns, params string[] args)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string arg in (string[])["netns", "exec", ns.Name, Binary, .. args])
        {
            psi.ArgumentList.Add(arg);
        }

        var agent = new AgentProcess(Process.Start(psi) ?? throw new InvalidOperationException("cannot start lvs-agent"));
        agent._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (agent._gate)
                {
                    agent._stderr.AppendLine(e.Data);
                }
            }
        };
        agent._process.BeginErrorReadLine();
        agent._process.StandardOutput.ReadToEndAsync();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!agent.Stderr.Contains("msg=ready", StringComparison.Ordinal))
        {
            if (agent._process.HasExited || DateTime.UtcNow > deadline)
            {
                string log = agent.Stderr;
                agent.Dispose();
                throw new InvalidOperationException($"lvs-agent did not get ready:\n{log}");
            }

            Thread.Sleep(50);
        }

        return agent;
    }

    /// <summary>Sends a signal to the agent by pid.</summary>
    public void Signal(string name) => AgentNamespace.Run("kill", $"-{name}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>SIGTERM, then waits (bounded) for the exit; returns the exit code.</summary>
    public int Stop()
    {
        Signal("TERM");
        if (!_process.WaitForExit(TimeSpan.FromSeconds(15)))
        {
            throw new TimeoutException($"lvs-agent did not stop on SIGTERM:\n{Stderr}");
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited in between.
        }

        _process.Dispose();
    }
}
