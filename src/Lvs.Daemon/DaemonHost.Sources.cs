using Lvs.Contracts;
using Lvs.Daemon.Sync;
using Lvs.Daemon.Web;
using Lvs.Vrrp;
using WebHealth = Lvs.Daemon.Web.ServerHealth;
using WebVrrp = Lvs.Daemon.Web.VrrpInstanceStatus;

namespace Lvs.Daemon;

/// <summary>
/// What the web listener reads of health checking, VRRP and connection sync. Each source is
/// given only when the feature runs, so /metrics and the dashboard never show a made-up state.
/// </summary>
public sealed partial class DaemonHost
{
    /// <summary>Health per checked real server, from the same listing lvsadm --health shows.</summary>
    private sealed class HealthSource(Func<ControlRequest, ControlResponse> read) : IHealthSource
    {
        public IReadOnlyList<WebHealth> Health()
        {
            StatusSnapshot? status = read(new ControlRequest { Command = Commands.List }).Status;
            var list = new List<WebHealth>();
            foreach (ServiceStatus s in status?.Services ?? [])
            {
                foreach (RealServerStatus r in s.Servers)
                {
                    if (r.Health is { } h)
                    {
                        list.Add(new WebHealth(s.Key, r.Address, r.Port, h.State != "down"));
                    }
                }

                foreach (RemovedServer r in s.RemovedServers ?? [])
                {
                    list.Add(new WebHealth(s.Key, r.Address, r.Port, r.Health.State != "down"));
                }
            }

            return list;
        }
    }

    /// <summary>The VRRP instances lvsd runs; read at each call, so a later start is seen.</summary>
    private sealed class VrrpSource(Func<VrrpService?> vrrp) : IVrrpSource
    {
        public IReadOnlyList<WebVrrp> Instances() =>
            [.. (vrrp()?.Instances ?? []).Select(i => new WebVrrp(i.Name, i.Config.Vrid, StateName(i.Role), i.Priority))];
    }

    private sealed class WebSyncSource(SyncDaemon sync) : ISyncSource
    {
        public Web.SyncCounters? Counters()
        {
            if (sync.Status().Count == 0)
            {
                return null; // no master or backup daemon runs: nothing to show
            }

            SyncStats s = sync.Stats();
            ulong dropped = 0;
            foreach (DropCount d in s.Drops)
            {
                dropped += d.Count;
            }

            return new Web.SyncCounters(s.MessagesSent, s.MessagesReceived, dropped);
        }
    }

    /// <summary>VRRP role changes and health transitions become dashboard events.</summary>
    private void PublishVrrpEvents()
    {
        foreach (VrrpInstance i in Vrrp?.Instances ?? [])
        {
            i.RoleChanged += (_, t) => Events.Add(EventKinds.Failover, $"VRRP {i.Name}: {StateName(t.Old)} -> {StateName(t.New)} ({t.Reason})");
        }
    }
}
