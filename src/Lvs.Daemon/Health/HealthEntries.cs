using Lvs.Core.Services;
using Lvs.Daemon.Config;
using Lvs.Health;

namespace Lvs.Daemon.Health;

/// <summary>A checked (or, without checkers, always-up) real server of one service, and what the supervisor last did to it.</summary>
internal sealed class ServerEntry(ServiceKey service, RealServerDefinition definition, RealServerHealth config, string signature)
{
    public ServiceKey Service { get; } = service;

    public RealServerDefinition Definition { get; } = definition;

    public RealServerHealth Config { get; } = config;

    /// <summary>Checker blocks, delay_loop and alpha as text: a reload keeps the health state only when this is unchanged.</summary>
    public string Signature { get; } = signature;

    public InetAddress Address => Definition.Address;

    public ushort Port => Definition.Port;

    /// <summary>The weight checks scale: the configured one, or the operator's when changed by hand (lvsadm -e).</summary>
    public int BaseWeight { get; set; } = definition.Weight;

    /// <summary>Null when the server has no checkers: keepalived counts it as always up.</summary>
    public MonitoredServer? Monitor { get; set; }

    public IReadOnlyList<IHealthCheck> Checks { get; set; } = [];

    public bool Up { get; set; } = true;

    public int? DynamicWeight { get; set; }

    public AgentReport? Agent { get; set; }

    public string Reason { get; set; } = "no checkers";

    public DateTimeOffset Since { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>Whether the supervisor believes the server is in the table, and at what weight.</summary>
    public bool InTable { get; set; }

    public int AppliedWeight { get; set; }

    /// <summary>Method, tunnel and thresholds as last seen in the table, so re-adding keeps what the operator set.</summary>
    public RealServerDefinition? LastLive { get; set; }

    /// <summary>The operator added or deleted it by hand: health checks leave it alone until the next reload.</summary>
    public bool OperatorOwned { get; set; }

    public int EffectiveWeight => HealthPolicy.EffectiveWeight(BaseWeight, DynamicWeight, Agent);

    public string Name => Address.WithPort(Port);
}

/// <summary>A virtual service with health checking: its servers, quorum settings, sorry server and scripts.</summary>
internal sealed class ServiceEntry(ServiceKey key, IReadOnlyList<ServerEntry> servers)
{
    public ServiceKey Key { get; } = key;

    public IReadOnlyList<ServerEntry> Servers { get; } = servers;

    public SorryServer? Sorry { get; init; }

    /// <summary>keepalived's quorum (default 1): the live weight needed to keep the real servers in.</summary>
    public int Quorum { get; init; } = 1;

    public int Hysteresis { get; init; }

    public string? QuorumUpScript { get; init; }

    public string? QuorumDownScript { get; init; }

    /// <summary>keepalived's omega: notify_down also runs for a live server a reload removes.</summary>
    public bool Omega { get; init; }

    public bool QuorumUp { get; set; } = true;

    public bool SorryInTable { get; set; }

    public int SorryAppliedWeight { get; set; }

    public bool SorryActive => !QuorumUp && Sorry is not null;

    public long LiveWeight => Servers.Where(s => s.Up).Sum(s => (long)s.EffectiveWeight);

    public RealServerDefinition? SorryDefinition(int weight) =>
        Sorry is { } s ? new RealServerDefinition(s.Address, s.Port, s.Method, weight, s.Tunnel) : null;
}
