using Lvs.Contracts;
using Lvs.Core.Services;
using CoreKey = Lvs.Core.Services.ServiceKey;

namespace Lvs.Daemon.Health;

/// <summary>What lvsadm --health and --json show of one service's health checking.</summary>
/// <param name="Servers">Health of the checked servers, by (address, port), whether in the table or not.</param>
/// <param name="Removed">Checked servers not in the table (down, or out while the sorry server serves).</param>
/// <param name="Sorry">The sorry server "ADDR:PORT", or null.</param>
public sealed record ServiceHealthView(
    IReadOnlyDictionary<(InetAddress Address, ushort Port), ServerHealth> Servers,
    IReadOnlyList<RemovedServer> Removed,
    string? Sorry,
    bool SorryActive);

/// <summary>The listing side.</summary>
public sealed partial class HealthSupervisor
{
    /// <summary>The health of <paramref name="key"/>'s servers, or null when the service has no health checking.</summary>
    public ServiceHealthView? View(CoreKey key)
    {
        lock (_sync)
        {
            if (!_services.TryGetValue(key, out ServiceEntry? s))
            {
                return null;
            }

            var servers = new Dictionary<(InetAddress, ushort), ServerHealth>();
            var removed = new List<RemovedServer>();
            foreach (ServerEntry e in s.Servers)
            {
                var health = new ServerHealth(HealthPolicy.StateName(e.Up, e.Agent), e.Reason, e.Since)
                {
                    ConfiguredWeight = e.BaseWeight,
                    DynamicWeight = e.DynamicWeight is not null || e.Agent is not null ? e.EffectiveWeight : null,
                };
                servers[(e.Address, e.Port)] = health;
                if (!e.InTable && !e.OperatorOwned)
                {
                    RealServerDefinition d = e.LastLive ?? e.Definition;
                    removed.Add(new RemovedServer(d.Address.ToString(), d.Port, MethodName(d.Method), health));
                }
            }

            string? sorry = s.Sorry is { } ss ? ss.Address.WithPort(ss.Port) : null;
            return new ServiceHealthView(servers, removed, sorry, s.SorryActive);
        }
    }

    private static string MethodName(ForwardMethod m) => m switch
    {
        ForwardMethod.DirectRoute => "route",
        ForwardMethod.Tunnel => "tunnel",
        _ => "masq",
    };
}
