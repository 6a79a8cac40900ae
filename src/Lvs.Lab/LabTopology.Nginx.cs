namespace Lvs.Lab;

// Stopping and starting a real server's nginx, for the health-check tests: a server that dies
// and comes back.
public abstract partial class LabTopology
{
    /// <summary>Stops <paramref name="rs"/>'s nginx (the lab's own process, by its pid: SIGTERM, then SIGKILL after 5 s).</summary>
    /// <exception cref="InvalidOperationException">Its nginx is not running.</exception>
    public void StopNginx(RealServer rs)
    {
        LabProcess? nginx;
        lock (_gate)
        {
            nginx = _processes.FirstOrDefault(p => p.Name == $"nginx {rs.Name}" && !p.HasExited);
            if (nginx is not null)
            {
                _processes.Remove(nginx);
            }
        }

        if (nginx is null)
        {
            throw new InvalidOperationException($"nginx of {rs.Name} is not running");
        }

        Log($"stopping nginx of {rs.Name} (pid {nginx.Pid})");
        nginx.Stop(TimeSpan.FromSeconds(5));
        nginx.Dispose();
    }

    /// <summary>Starts <paramref name="rs"/>'s nginx again with the configuration it was built with; a no-op when it runs.</summary>
    public void StartNginxAgain(RealServer rs)
    {
        if (FindProcess($"nginx {rs.Name}") is { HasExited: false })
        {
            return;
        }

        string dir = ServerDirectory(rs);
        Log($"starting nginx of {rs.Name} again");
        StartInNamespace($"nginx {rs.Name}", rs.Namespace,
            ["nginx", "-p", dir, "-c", Path.Combine(dir, "nginx.conf"), "-e", Path.Combine(dir, "error.log")]);
    }
}
