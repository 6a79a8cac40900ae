using Lvs.Contracts;
using Lvs.Core.Connections;
using Lvs.Core.Services;
using Lvs.Daemon.Config;
using Lvs.Daemon.Health;
using Lvs.Linux;

namespace Lvs.Daemon;

/// <summary>
/// lvsd --config FILE: loads keepalived.conf or an ipvsadm save file at start, on SIGHUP and on
/// lvsadm --reload. A file that does not load changes nothing; one that does is applied by
/// difference, so what stays keeps its connections, counters and scheduler state. With a
/// <see cref="HealthSupervisor"/>, checker blocks are built first (an invalid one refuses the file) and
/// the file is applied as the health state adjusts it (servers that are down stay out).
/// </summary>
public sealed class ConfigReloader(string path, ServiceTable services, ConnectionTimeouts timeouts, HealthSupervisor? health = null)
{
    private readonly object _gate = new();

    public string Path { get; } = path;

    /// <summary>global_defs lvs_sync_daemon of the last file that loaded, or null.</summary>
    public Config.KeepalivedNode? SyncDaemon { get; private set; }

    public ControlResponse Reload(string reason)
    {
        lock (_gate)
        {
            ConfigLoadResult result = ConfigLoader.Load(Path);
            foreach (ConfigDiagnostic warning in result.Warnings)
            {
                Log.Warn("configuration warning", ("at", $"{warning.File}:{warning.Line}:{warning.Column}"), ("warning", warning.Message));
            }

            if (!result.Succeeded)
            {
                foreach (ConfigDiagnostic error in result.Errors)
                {
                    Log.Error("configuration refused", ("at", $"{error.File}:{error.Line}:{error.Column}"), ("error", error.Message));
                }

                return ControlResponse.Fail(ControlError.Invalid, string.Join('\n', result.Errors.Select(e => e.ToString())));
            }

            HealthPlan? plan = null;
            if (health is not null)
            {
                plan = health.Prepare(result, out IReadOnlyList<string> checkerErrors);
                if (plan is null)
                {
                    foreach (string error in checkerErrors)
                    {
                        Log.Error("configuration refused", ("error", error));
                    }

                    return ControlResponse.Fail(ControlError.Invalid, string.Join('\n', checkerErrors));
                }
            }

            Configuration desired = plan?.Adjust(result.Configuration!) ?? result.Configuration!;
            if (!services.Apply(desired, out string? invalid))
            {
                Log.Error("configuration refused", ("file", Path), ("error", invalid));
                return ControlResponse.Fail(ControlError.Invalid, $"{Path}: {invalid}");
            }

            SyncDaemon = result.SyncDaemon;
            if (plan is not null)
            {
                health!.Commit(plan);
            }

            if (result.Timeouts is { } t)
            {
                ApplyTimeouts(t);
            }

            Log.Info("configuration loaded", ("file", Path), ("reason", reason), ("services", result.Configuration!.Services.Count),
                ("warnings", result.Warnings.Count));
            return ControlResponse.Success();
        }
    }

    private void ApplyTimeouts(LvsTimeouts t)
    {
        if (t.TcpSeconds is > 0 and var tcp)
        {
            timeouts.SetTcp(TcpState.Established, tcp * 1000);
        }

        if (t.TcpFinSeconds is > 0 and var fin)
        {
            timeouts.SetTcp(TcpState.FinWait, fin * 1000);
        }

        if (t.UdpSeconds is > 0 and var udp)
        {
            timeouts.Udp = udp * 1000;
        }
    }
}
