namespace Lvs.Core.Services;

/// <summary>Whole configurations: export, and apply as a difference (restore, reload).</summary>
public sealed partial class ServiceTable
{
    /// <summary>One rate-estimator tick for every service and real server (call every 2 s).</summary>
    public void EstimateRates()
    {
        lock (_writeLock)
        {
            foreach (VirtualService svc in _ordered)
            {
                svc.Counters.EstimateTick();
                foreach (RealServer d in svc.Destinations)
                {
                    d.Counters.EstimateTick();
                }
            }
        }
    }

    /// <summary>The current configuration (servers newest first, as they are kept).</summary>
    public Configuration Export()
    {
        lock (_writeLock)
        {
            return new Configuration([.. _ordered.Select(s => new ServiceDefinition(s.Key, s.Settings,
                [.. s.Destinations.Select(d => new RealServerDefinition(d.Address, d.Port, d.Method, d.Weight, d.Tunnel, d.UpperThreshold, d.LowerThreshold))]))]);
        }
    }

    /// <summary>
    /// Makes <paramref name="desired"/> current by difference, under one lock: services and servers
    /// that stay keep their connections, counters and scheduler state; changed settings and weights
    /// apply; removed servers drain. Refused as a whole (nothing changes) when it is not valid.
    /// </summary>
    public bool Apply(Configuration desired, out string? error)
    {
        error = Validate(desired);
        if (error is not null)
        {
            return false;
        }

        lock (_writeLock)
        {
            var wanted = desired.Services.ToDictionary(s => s.Key);
            foreach (VirtualService svc in _ordered.ToArray())
            {
                if (!wanted.ContainsKey(svc.Key))
                {
                    RemoveService(svc);
                }
            }

            foreach (ServiceDefinition def in desired.Services)
            {
                VirtualService? svc = Find(def.Key);
                if (svc is null)
                {
                    svc = new VirtualService(def.Key, Scheduling.SchedulerRegistry.Create(def.Settings.Scheduler, def.Settings.Flags), Workers, def.Settings);
                    _ordered.Add(svc);
                }
                else if (svc.Settings != def.Settings)
                {
                    if (svc.Settings.Scheduler != def.Settings.Scheduler || svc.Settings.Flags != def.Settings.Flags)
                    {
                        svc.SetScheduler(Scheduling.SchedulerRegistry.Create(def.Settings.Scheduler, def.Settings.Flags));
                    }

                    svc.Settings = def.Settings;
                }

                ApplyServers(svc, def.Servers);
            }

            Publish();
        }

        Changed?.Invoke();
        return true;
    }

    private void ApplyServers(VirtualService svc, IReadOnlyList<RealServerDefinition> wanted)
    {
        RealServer[] current = svc.Destinations;
        var result = new List<RealServer>(wanted.Count);
        bool weightsChanged = false;
        foreach (RealServerDefinition def in wanted)
        {
            RealServer? server = Array.Find(current, d => d.Address == def.Address && d.Port == def.Port);
            if (server is null)
            {
                server = new RealServer(def.Address, def.Port, def.Method, def.Weight, Workers);
            }
            else
            {
                weightsChanged |= server.Weight != def.Weight;
            }

            server.Configure(def.Method, def.Tunnel, def.Weight, def.UpperThreshold, def.LowerThreshold);

            result.Add(server);
        }

        foreach (RealServer gone in current.Where(d => !result.Contains(d)))
        {
            gone.Available = false; // drains: its connections keep forwarding until they end
        }

        if (!result.SequenceEqual(current))
        {
            svc.SetDestinations([.. result]);
        }
        else if (weightsChanged)
        {
            svc.NotifyWeightsChanged();
        }
    }

    private void RemoveService(VirtualService svc)
    {
        foreach (RealServer d in svc.Destinations)
        {
            d.Available = false;
        }

        svc.SetDestinations([]);
        _ordered.Remove(svc);
    }

    private static string? Validate(Configuration desired)
    {
        var keys = new HashSet<ServiceKey>();
        foreach (ServiceDefinition s in desired.Services)
        {
            if (!keys.Add(s.Key))
            {
                return $"service {s.Key} is declared twice";
            }

            if (!Scheduling.SchedulerRegistry.IsKnown(s.Settings.Scheduler))
            {
                return $"service {s.Key}: unknown scheduler '{s.Settings.Scheduler}'";
            }

            var servers = new HashSet<(InetAddress, ushort)>();
            foreach (RealServerDefinition d in s.Servers)
            {
                if (!servers.Add((d.Address, d.Port)))
                {
                    return $"service {s.Key}: real server {d.Address.WithPort(d.Port)} is declared twice";
                }

                if (d.Weight is < 0 or > 65535)
                {
                    return $"service {s.Key}: real server {d.Address.WithPort(d.Port)}: weight {d.Weight} out of range 0..65535";
                }
            }
        }

        return null;
    }
}
