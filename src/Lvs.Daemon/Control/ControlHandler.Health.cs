using Lvs.Contracts;
using Lvs.Daemon.Health;
using CoreKey = Lvs.Core.Services.ServiceKey;

namespace Lvs.Daemon.Control;

/// <summary>Health-check state in the listing (lvsadm --health, --json).</summary>
public sealed partial class ControlHandler
{
    /// <summary>The health view of a service, or null without health checking; set by lvsd when it runs checkers.</summary>
    public Func<CoreKey, ServiceHealthView?>? Health { get; set; }

    private ServiceStatus WithHealth(CoreKey key, ServiceStatus status)
    {
        if (Health?.Invoke(key) is not { } view)
        {
            return status;
        }

        List<RealServerStatus> servers = [.. status.Servers.Select(s =>
            Lvs.Core.Services.Ipv4.TryParse(s.Address, out uint a) && view.Servers.TryGetValue((a, s.Port), out ServerHealth? h)
                ? s with { Health = h }
                : s)];
        return status with
        {
            Servers = servers,
            RemovedServers = view.Removed.Count > 0 ? view.Removed : null,
            SorryServer = view.Sorry,
            SorryActive = view.Sorry is null ? null : view.SorryActive,
        };
    }
}
