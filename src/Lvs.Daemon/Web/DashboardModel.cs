using System.Globalization;
using System.Text.Json.Serialization;
using Lvs.Contracts;

namespace Lvs.Daemon.Web;

/// <summary>What /api/status and each /api/events message carry: the dashboard's whole model.</summary>
public sealed record DashboardStatus(
    long TimeMs,
    string Version,
    int Connections,
    int ConnectionTableSize,
    IReadOnlyList<DashboardService> Services,
    IReadOnlyList<DropCount> Drops,
    IReadOnlyList<long> WorkerPackets,
    IReadOnlyList<DaemonEvent> Events)
{
    /// <summary>Which optional panels have data; the dashboard hides the others.</summary>
    public required DashboardFeatures Features { get; init; }

    public IReadOnlyList<VrrpInstanceStatus>? Vrrp { get; init; }

    public SyncCounters? Sync { get; init; }

    /// <summary>Builds the model from a snapshot and the newest events.</summary>
    public static DashboardStatus From(WebSnapshot s, IReadOnlyList<DaemonEvent> events)
    {
        Dictionary<(string, string, ushort), ServerHealth>? health = null;
        if (s.Health is { } list)
        {
            health = [];
            foreach (ServerHealth h in list)
            {
                health[(Name(h.Service), h.Address, h.Port)] = h;
            }
        }

        var services = new List<DashboardService>(s.Status.Services.Count);
        foreach (ServiceStatus svc in s.Status.Services)
        {
            string name = Name(svc.Key);
            var servers = new List<DashboardServer>(svc.Servers.Count);
            foreach (RealServerStatus r in svc.Servers)
            {
                var server = new DashboardServer(r.Address, r.Port, r.Method, r.Weight, r.ActiveConns, r.InactiveConns, r.Stats, r.Rates);
                if (health is not null && health.TryGetValue((name, r.Address, r.Port), out ServerHealth? h))
                {
                    server = server with { Up = h.Up, Checker = h.Checker };
                }

                servers.Add(server);
            }

            services.Add(new DashboardService(name, svc.Key, svc.Scheduler, svc.Stats, svc.Rates, servers));
        }

        return new DashboardStatus(s.TimeMs, s.Status.Version, s.Status.Connections, s.Status.ConnectionTableSize,
            services, s.Drops, s.WorkerPackets, events)
        {
            Features = new DashboardFeatures(s.Health is not null, s.Vrrp is not null, s.Sync is not null),
            Vrrp = s.Vrrp,
            Sync = s.Sync,
        };
    }

    /// <summary>ipvsadm's way of naming a service: "TCP 192.0.2.10:80", "UDP ...", "FWM 1".</summary>
    public static string Name(ServiceKey k) => k.Protocol switch
    {
        "fwmark" => "FWM " + k.Fwmark.ToString(CultureInfo.InvariantCulture),
        _ => $"{k.Protocol.ToUpperInvariant()} {(k.Address.Contains(':') ? "[" + k.Address + "]" : k.Address)}:{k.Port}",
    };
}

public sealed record DashboardFeatures(bool Health, bool Vrrp, bool Sync);

public sealed record DashboardService(
    string Name,
    ServiceKey Key,
    string Scheduler,
    TrafficStats Stats,
    TrafficRates? Rates,
    IReadOnlyList<DashboardServer> Servers);

public sealed record DashboardServer(
    string Address,
    ushort Port,
    string Method,
    int Weight,
    int ActiveConns,
    int InactiveConns,
    TrafficStats Stats,
    TrafficRates? Rates)
{
    /// <summary>The health checker's verdict; null when no checker watches this server.</summary>
    public bool? Up { get; init; }

    public string? Checker { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DashboardStatus))]
public sealed partial class DashboardJsonContext : JsonSerializerContext;
