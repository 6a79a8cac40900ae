using System.Collections.Frozen;
using Lvs.Core.Scheduling;

namespace Lvs.Core.Services;

/// <summary>Outcome of a change to the service table (maps to ipvsadm's errors).</summary>
public enum TableResult
{
    Ok,
    ServiceExists,
    NoSuchService,
    DestinationExists,
    NoSuchDestination,
    UnknownScheduler,
}

/// <summary>
/// The virtual services, changed by the control plane and read by the workers.
/// </summary>
/// <remarks>
/// Invariants:
/// <list type="bullet">
/// <item>All changes run under one lock (one writer at a time); lookups take no lock.</item>
/// <item><see cref="Lookup"/> reads an immutable frozen dictionary that each change rebuilds and
/// publishes with one reference write, so a worker sees the whole old or the whole new table.</item>
/// <item>Service and real-server objects keep their identity across edits (-E/-e change them in
/// place), so connections and counters stay attached to them.</item>
/// <item>A service's real servers are kept newest first, in the order of ip_vs's list, so schedulers
/// make the kernel's choices (ipvsadm -L sorts them for display; --nosort shows this order).</item>
/// <item>Deleting a real server marks it unavailable and drops it from the list; connections
/// that reference it keep being forwarded until they expire.</item>
/// </list>
/// </remarks>
public sealed partial class ServiceTable : IServiceTarget
{
    private readonly object _writeLock = new();
    private readonly List<VirtualService> _ordered = [];
    private volatile FrozenDictionary<ServiceKey, VirtualService> _lookup = FrozenDictionary<ServiceKey, VirtualService>.Empty;
    private volatile FrozenSet<ServiceKey> _natReplySources = FrozenSet<ServiceKey>.Empty;
    private volatile FrozenSet<InetAddress> _virtualAddresses = FrozenSet<InetAddress>.Empty;
    private volatile FwmarkClassifier _marks = FwmarkClassifier.Empty;

    public ServiceTable(int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        Workers = workers;
    }

    /// <summary>Number of worker counter slots each service and server carries.</summary>
    public int Workers { get; }

    /// <summary>Raised after every successful change, outside the lock (e.g. to re-install steering rules).</summary>
    public event Action? Changed;

    /// <summary>Finds the service for a packet's destination; lock-free.</summary>
    public VirtualService? Lookup(in ServiceKey key) =>
        _lookup.TryGetValue(key, out VirtualService? svc) ? svc : null;

    /// <summary>
    /// True when (protocol, address, port) is a NAT real server of some service: a packet from
    /// there with no connection entry is a reply the director cannot translate.
    /// </summary>
    public bool IsNatRealServer(in ServiceKey source) => _natReplySources.Contains(source);

    /// <summary>The marking rules fwmark services match on; replaced as a whole.</summary>
    public FwmarkClassifier Marks
    {
        get => _marks;
        set => _marks = value ?? FwmarkClassifier.Empty;
    }

    /// <summary>True when some service is a fwmark service, so a miss needs the marks.</summary>
    public bool HasFwmarkServices { get; private set; }

    /// <summary>True when some service is a port-0 (all ports) service, so a miss on the exact port needs a second look.</summary>
    public bool HasPortZeroServices { get; private set; }

    /// <summary>True when some service listens on <paramref name="address"/> (any protocol or port).</summary>
    public bool IsVirtualAddress(InetAddress address) => _virtualAddresses.Contains(address);

    /// <summary>A consistent copy of the services in the order they were added.</summary>
    public IReadOnlyList<VirtualService> Snapshot()
    {
        lock (_writeLock)
        {
            return _ordered.ToArray();
        }
    }

    public TableResult AddService(ServiceKey key, string scheduler) => AddService(key, new ServiceSettings(scheduler));

    public TableResult AddService(ServiceKey key, ServiceSettings settings)
    {
        if (!SchedulerRegistry.IsKnown(settings.Scheduler))
        {
            return TableResult.UnknownScheduler;
        }

        lock (_writeLock)
        {
            if (Find(key) is not null)
            {
                return TableResult.ServiceExists;
            }

            _ordered.Add(new VirtualService(key, SchedulerRegistry.Create(settings.Scheduler, settings.Flags), Workers, settings));
            Publish();
        }

        Changed?.Invoke();
        return TableResult.Ok;
    }

    public TableResult EditService(ServiceKey key, string scheduler)
    {
        lock (_writeLock)
        {
            VirtualService? svc = Find(key);
            return svc is null ? TableResult.NoSuchService : EditService(key, svc.Settings with { Scheduler = scheduler });
        }
    }

    /// <summary>-E: new settings; the scheduler is replaced only when its name or flags change, as ip_vs does.</summary>
    public TableResult EditService(ServiceKey key, ServiceSettings settings)
    {
        if (!SchedulerRegistry.IsKnown(settings.Scheduler))
        {
            return TableResult.UnknownScheduler;
        }

        lock (_writeLock)
        {
            VirtualService? svc = Find(key);
            if (svc is null)
            {
                return TableResult.NoSuchService;
            }

            ServiceSettings old = svc.Settings;
            if (old.Scheduler != settings.Scheduler || old.Flags != settings.Flags)
            {
                svc.SetScheduler(SchedulerRegistry.Create(settings.Scheduler, settings.Flags));
            }

            svc.Settings = settings;
        }

        Changed?.Invoke();
        return TableResult.Ok;
    }

    public TableResult DeleteService(ServiceKey key)
    {
        lock (_writeLock)
        {
            VirtualService? svc = Find(key);
            if (svc is null)
            {
                return TableResult.NoSuchService;
            }

            foreach (RealServer d in svc.Destinations)
            {
                d.Available = false;
            }

            svc.SetDestinations([]);
            _ordered.Remove(svc);
            Publish();
        }

        Changed?.Invoke();
        return TableResult.Ok;
    }

    public void Clear()
    {
        lock (_writeLock)
        {
            foreach (VirtualService svc in _ordered)
            {
                foreach (RealServer d in svc.Destinations)
                {
                    d.Available = false;
                }

                svc.SetDestinations([]);
            }

            _ordered.Clear();
            Publish();
        }

        Changed?.Invoke();
    }

    public TableResult AddServer(ServiceKey key, InetAddress address, ushort port, ForwardMethod method, int weight, TunnelSpec tunnel = default,
        int upperThreshold = 0, int lowerThreshold = 0)
    {
        lock (_writeLock)
        {
            VirtualService? svc = Find(key);
            if (svc is null)
            {
                return TableResult.NoSuchService;
            }

            if (FindServer(svc, address, port) is not null)
            {
                return TableResult.DestinationExists;
            }

            var server = new RealServer(address, port, method, weight, Workers)
            {
                Tunnel = tunnel,
                UpperThreshold = upperThreshold,
                LowerThreshold = lowerThreshold,
            };
            // Newest first, as ip_vs's list_add_rcu: the order decides rr/wrr sequences and ties.
            svc.SetDestinations([server, .. svc.Destinations]);
            Publish();
        }

        Changed?.Invoke();
        return TableResult.Ok;
    }

    public TableResult EditServer(ServiceKey key, InetAddress address, ushort port, ForwardMethod method, int weight, TunnelSpec tunnel = default,
        int upperThreshold = 0, int lowerThreshold = 0) =>
        WithServer(key, address, port, (svc, server) =>
        {
            server.Configure(method, tunnel, weight, upperThreshold, lowerThreshold);
            svc.NotifyWeightsChanged();
        });

    public TableResult DeleteServer(ServiceKey key, InetAddress address, ushort port) =>
        WithServer(key, address, port, (svc, server) =>
        {
            server.Available = false;
            svc.SetDestinations([.. svc.Destinations.Where(d => d != server)]);
        });

    /// <summary>Runs a change on one real server of one service under the write lock, then publishes.</summary>
    private TableResult WithServer(ServiceKey key, InetAddress address, ushort port, Action<VirtualService, RealServer> change)
    {
        lock (_writeLock)
        {
            VirtualService? svc = Find(key);
            if (svc is null)
            {
                return TableResult.NoSuchService;
            }

            RealServer? server = FindServer(svc, address, port);
            if (server is null)
            {
                return TableResult.NoSuchDestination;
            }

            change(svc, server);
            Publish();
        }

        Changed?.Invoke();
        return TableResult.Ok;
    }

    /// <summary>Zeroes the counters of one service and its servers, or of all when <paramref name="key"/> is null.</summary>
    public TableResult Zero(ServiceKey? key)
    {
        lock (_writeLock)
        {
            IEnumerable<VirtualService> targets = _ordered;
            if (key is { } k)
            {
                VirtualService? svc = Find(k);
                if (svc is null)
                {
                    return TableResult.NoSuchService;
                }

                targets = [svc];
            }

            foreach (VirtualService svc in targets)
            {
                svc.Counters.Zero();
                foreach (RealServer d in svc.Destinations)
                {
                    d.Counters.Zero();
                }
            }
        }

        return TableResult.Ok;
    }

    private VirtualService? Find(ServiceKey key) => _ordered.Find(s => s.Key == key);

    private static RealServer? FindServer(VirtualService svc, InetAddress address, ushort port) =>
        Array.Find(svc.Destinations, d => d.Address == address && d.Port == port);

    private void Publish()
    {
        _lookup = _ordered.ToFrozenDictionary(s => s.Key);
        _natReplySources = _ordered
            .SelectMany(s => s.Destinations.Where(d => d.Method == ForwardMethod.Masquerade)
                .SelectMany(d => s.Key.IsFwmark
                    ? [new ServiceKey(IpProtocol.Tcp, d.Address, d.Port), new ServiceKey(IpProtocol.Udp, d.Address, d.Port)]
                    : new[] { new ServiceKey(s.Key.Protocol, d.Address, d.Port) }))
            .ToFrozenSet();
        _virtualAddresses = _ordered.Where(s => !s.Key.IsFwmark).Select(s => s.Key.Address).ToFrozenSet();
        HasPortZeroServices = _ordered.Any(s => s.Key.Port == 0 && !s.Key.IsFwmark);
        HasFwmarkServices = _ordered.Any(s => s.Key.IsFwmark);
    }
}
