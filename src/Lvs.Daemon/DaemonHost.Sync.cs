using Lvs.Daemon.Config;
using Lvs.Daemon.Sync;
using Lvs.Linux;

namespace Lvs.Daemon;

/// <summary>keepalived's lvs_sync_daemon: the sync daemon's settings from the configuration file.</summary>
public sealed partial class DaemonHost
{
    /// <summary>
    /// Configures the sync daemon from <c>lvs_sync_daemon</c> and starts it as backup, as keepalived
    /// does while its VRRP instance starts in BACKUP; VRRP moves it with <see cref="SyncDaemon.SetRole"/>.
    /// </summary>
    private void StartConfiguredSync(KeepalivedNode node)
    {
        SyncDaemonConfig? config = SyncDaemonConfig.FromKeepalived([.. node.Arguments.Select(a => a.Text)], out string? instance, out string? error);
        if (config is null)
        {
            throw new StartupException($"{node.Location}: {error}");
        }

        _sync!.Configure(config);
        if (_sync.SetRole(SyncRole.Backup) is { } refused)
        {
            throw new StartupException($"{node.Location}: lvs_sync_daemon: {refused}");
        }

        Log.Info("lvs_sync_daemon configured", ("interface", config.Interface), ("instance", instance), ("syncid", config.SyncId));
    }
}
