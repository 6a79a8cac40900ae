using Lvs.Contracts;
using Lvs.Daemon.Config;
using Lvs.Linux;
using Lvs.Linux.Interop;
using Lvs.Vrrp;

namespace Lvs.Daemon;

/// <summary>
/// lvsd's VRRP: the vrrp_instance blocks of its keepalived.conf run inside the daemon. Started
/// after the services are loaded; stopped first on exit, so masters send priority 0 and remove
/// their addresses while the data path still runs. A reload does not change the VRRP instances
/// (restart lvsd for that); <see cref="Vrrp"/> is what others (metrics, sync) read.
/// </summary>
public sealed partial class DaemonHost
{
    /// <summary>The running VRRP instances, or null when the configuration has none.</summary>
    public VrrpService? Vrrp { get; private set; }

    private void StartVrrp(string configPath, string? syncInstance)
    {
        ConfigLoadResult loaded = ConfigLoader.Load(configPath);
        if (loaded.Vrrp.IsEmpty)
        {
            return;
        }

        VrrpConfig config = loaded.Vrrp;
        HashSet<string> held = [];
        if (syncInstance is not null)
        {
            if (!config.Instances.Any(i => i.Name == syncInstance))
            {
                throw new StartupException($"lvs_sync_daemon names vrrp_instance '{syncInstance}', which is not defined");
            }

            config = HoldPreemption(config, syncInstance, out held);
        }

        try
        {
            Vrrp = VrrpService.Start(config);
        }
        catch (LinuxException e)
        {
            throw new StartupException($"cannot start VRRP: {e.Message}", e);
        }

        foreach (VrrpInstance i in Vrrp.Instances)
        {
            Log.Info("vrrp instance started", ("instance", i.Name), ("interface", i.Config.Interface), ("vrid", i.Config.Vrid),
                ("priority", i.Config.Priority), ("version", (int)i.Config.Version), ("state", i.Role));
        }

        if (syncInstance is not null && Vrrp.Find(syncInstance) is { } tied)
        {
            TieSyncToVrrp(tied, [.. Vrrp.Instances.Where(i => held.Contains(i.Name))]);
        }
    }

    /// <summary>
    /// Marks <paramref name="syncInstance"/> and every member of its sync groups to start with
    /// preemption held (<paramref name="held"/> names them). The whole group must hold: a member
    /// that preempted alone would force the tied instance to master with it (keepalived's group
    /// rule) before the connection table is pulled.
    /// </summary>
    internal static VrrpConfig HoldPreemption(VrrpConfig config, string syncInstance, out HashSet<string> held)
    {
        HashSet<string> names = [syncInstance, .. config.SyncGroups.Where(g => g.Members.Contains(syncInstance)).SelectMany(g => g.Members)];
        held = names;
        return config with
        {
            Instances = [.. config.Instances.Select(i => names.Contains(i.Name) ? i with { HoldPreemption = true } : i)],
        };
    }

    private void StopVrrp()
    {
        VrrpService? vrrp = Vrrp;
        Vrrp = null;
        vrrp?.Dispose();
    }

    private ControlResponse VrrpStatus()
    {
        VrrpService? vrrp = Vrrp;
        var list = new List<VrrpInstanceStatus>();
        foreach (VrrpInstance i in vrrp?.Instances ?? [])
        {
            list.Add(new VrrpInstanceStatus(
                i.Name,
                StateName(i.Role),
                i.Priority,
                i.Config.Priority,
                i.Config.Vrid,
                (int)i.Config.Version,
                i.Config.Interface,
                [.. i.Config.VirtualAddresses.Select(v => v.ToString())],
                i.MasterAddress?.ToString(),
                i.Counters.AdvertsSent,
                i.Counters.AdvertsReceived,
                i.Counters.BecameMaster,
                [.. i.Counters.DropsByReason().Select(d => new DropCount(d.Key, (ulong)d.Value))]));
        }

        return ControlResponse.Success() with { Vrrp = list };
    }

    private static string StateName(VrrpRole role) => role switch
    {
        VrrpRole.Initialize => "INIT",
        VrrpRole.Backup => "BACKUP",
        VrrpRole.Master => "MASTER",
        VrrpRole.Fault => "FAULT",
        _ => "STOP",
    };
}
