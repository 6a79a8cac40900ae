namespace Lvs.Core.Services;

/// <summary>A real server as configured (what -a/-e set, what a config file declares).</summary>
public sealed record RealServerDefinition(
    InetAddress Address,
    ushort Port,
    ForwardMethod Method,
    int Weight,
    TunnelSpec Tunnel = default,
    int UpperThreshold = 0,
    int LowerThreshold = 0);

/// <summary>A virtual service as configured, with its real servers newest first (ip_vs's list order).</summary>
public sealed record ServiceDefinition(ServiceKey Key, ServiceSettings Settings, IReadOnlyList<RealServerDefinition> Servers);

/// <summary>
/// A whole configuration: what <see cref="ServiceTable.Export"/> returns and
/// <see cref="ServiceTable.Apply(Configuration, out string?)"/> makes current. Pure data.
/// </summary>
public sealed record Configuration(IReadOnlyList<ServiceDefinition> Services)
{
    public static Configuration Empty { get; } = new([]);
}

/// <summary>
/// What the control commands act on: the live <see cref="ServiceTable"/>, or a
/// <see cref="ConfigurationBuilder"/> that rehearses a batch (ipvsadm -R) before it is applied at once.
/// Results are the same for both, so a rehearsal refuses exactly what the live table would.
/// </summary>
public interface IServiceTarget
{
    TableResult AddService(ServiceKey key, ServiceSettings settings);

    TableResult EditService(ServiceKey key, ServiceSettings settings);

    TableResult DeleteService(ServiceKey key);

    void Clear();

    TableResult AddServer(ServiceKey key, InetAddress address, ushort port, ForwardMethod method, int weight, TunnelSpec tunnel = default,
        int upperThreshold = 0, int lowerThreshold = 0);

    TableResult EditServer(ServiceKey key, InetAddress address, ushort port, ForwardMethod method, int weight, TunnelSpec tunnel = default,
        int upperThreshold = 0, int lowerThreshold = 0);

    TableResult DeleteServer(ServiceKey key, InetAddress address, ushort port);
}

/// <summary>A mutable copy of a configuration that commands can be rehearsed on.</summary>
public sealed class ConfigurationBuilder : IServiceTarget
{
    private readonly List<(ServiceKey Key, ServiceSettings Settings, List<RealServerDefinition> Servers)> _services = [];

    public ConfigurationBuilder(Configuration start)
    {
        foreach (ServiceDefinition s in start.Services)
        {
            _services.Add((s.Key, s.Settings, [.. s.Servers]));
        }
    }

    public Configuration Build() =>
        new([.. _services.Select(s => new ServiceDefinition(s.Key, s.Settings, [.. s.Servers]))]);

    public TableResult AddService(ServiceKey key, ServiceSettings settings)
    {
        if (!Scheduling.SchedulerRegistry.IsKnown(settings.Scheduler))
        {
            return TableResult.UnknownScheduler;
        }

        if (Find(key) >= 0)
        {
            return TableResult.ServiceExists;
        }

        _services.Add((key, settings, []));
        return TableResult.Ok;
    }

    public TableResult EditService(ServiceKey key, ServiceSettings settings)
    {
        if (!Scheduling.SchedulerRegistry.IsKnown(settings.Scheduler))
        {
            return TableResult.UnknownScheduler;
        }

        int i = Find(key);
        if (i < 0)
        {
            return TableResult.NoSuchService;
        }

        _services[i] = (key, settings, _services[i].Servers);
        return TableResult.Ok;
    }

    public TableResult DeleteService(ServiceKey key)
    {
        int i = Find(key);
        if (i < 0)
        {
            return TableResult.NoSuchService;
        }

        _services.RemoveAt(i);
        return TableResult.Ok;
    }

    public void Clear() => _services.Clear();

    public TableResult AddServer(ServiceKey key, InetAddress address, ushort port, ForwardMethod method, int weight, TunnelSpec tunnel = default,
        int upperThreshold = 0, int lowerThreshold = 0)
    {
        int i = Find(key);
        if (i < 0)
        {
            return TableResult.NoSuchService;
        }

        List<RealServerDefinition> servers = _services[i].Servers;
        if (servers.Exists(d => d.Address == address && d.Port == port))
        {
            return TableResult.DestinationExists;
        }

        servers.Insert(0, new RealServerDefinition(address, port, method, weight, tunnel, upperThreshold, lowerThreshold));
        return TableResult.Ok;
    }

    public TableResult EditServer(ServiceKey key, InetAddress address, ushort port, ForwardMethod method, int weight, TunnelSpec tunnel = default,
        int upperThreshold = 0, int lowerThreshold = 0)
    {
        int i = Find(key);
        if (i < 0)
        {
            return TableResult.NoSuchService;
        }

        List<RealServerDefinition> servers = _services[i].Servers;
        int j = servers.FindIndex(d => d.Address == address && d.Port == port);
        if (j < 0)
        {
            return TableResult.NoSuchDestination;
        }

        servers[j] = new RealServerDefinition(address, port, method, weight, tunnel, upperThreshold, lowerThreshold);
        return TableResult.Ok;
    }

    public TableResult DeleteServer(ServiceKey key, InetAddress address, ushort port)
    {
        int i = Find(key);
        if (i < 0)
        {
            return TableResult.NoSuchService;
        }

        return _services[i].Servers.RemoveAll(d => d.Address == address && d.Port == port) > 0
            ? TableResult.Ok
            : TableResult.NoSuchDestination;
    }

    private int Find(ServiceKey key) => _services.FindIndex(s => s.Key == key);
}
