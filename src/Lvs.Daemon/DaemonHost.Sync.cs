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
    /// <returns>The VRRP instance it names, whose role the sync role follows.</returns>
    private string? StartConfiguredSync(KeepalivedNode node)
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
        return instance;
    }

    /// <summary>
    /// keepalived's tie of lvs_sync_daemon to its VRRP instance: MASTER runs the master sync daemon,
    /// every other state the backup one. Beyond keepalived, the instance does not preempt a live
    /// master until the backup has pulled the master's connection table, so a director that comes
    /// back and takes over again does not break the connections the other one carries.
    /// </summary>
    private void TieSyncToVrrp(Lvs.Vrrp.VrrpInstance instance)
    {
        SyncDaemon sync = _sync!;
        var gate = new object();
        void Follow()
        {
            lock (gate)
            {
                // Reads the role now, so transitions queued out of order still end in the last one.
                SyncRole role = instance.Role == Lvs.Vrrp.VrrpRole.Master ? SyncRole.Master : SyncRole.Backup;
                if (sync.SetRole(role) is { } refused)
                {
                    Log.Error("sync daemon did not follow VRRP", ("instance", instance.Name), ("role", role), ("error", refused));
                }
            }
        }

        instance.RoleChanged += (_, t) =>
        {
            Log.Info("sync daemon follows VRRP", ("instance", instance.Name), ("from", t.Old), ("to", t.New));
            ThreadPool.QueueUserWorkItem(_ => Follow());
        };
        Follow();

        if (instance.PreemptionHeld)
        {
            sync.InitialSyncDone.ContinueWith(t =>
            {
                instance.ReleasePreemption();
                Log.Info("preemption released", ("instance", instance.Name),
                    ("table_pulled", t.IsCompletedSuccessfully && t.Result));
            }, TaskScheduler.Default);
        }
    }
}
