using Lvs.Contracts;

namespace Lvs.Admin.Tests;

/// <summary>
/// A small model of lvsd's service table for tests that need state across lvsadm runs: it
/// applies add/edit/delete/clear requests and batches (all or nothing, with the failing index)
/// and answers list from what it holds. It stores requests as they come, so what -S prints is
/// exactly what -R sent. Thread-safe: the fake daemon's thread calls it, the test reads it.
/// </summary>
internal sealed class StatefulDaemon
{
    private static readonly TrafficStats Zero = new(0, 0, 0, 0, 0);

    private readonly object _gate = new();
    private List<ServiceStatus> _services = [];

    public IReadOnlyList<ServiceStatus> Services
    {
        get
        {
            lock (_gate)
            {
                return _services;
            }
        }

        set
        {
            lock (_gate)
            {
                _services = [.. value];
            }
        }
    }

    public int Requests { get; private set; }

    public ControlResponse Handle(ControlRequest request)
    {
        lock (_gate)
        {
            Requests++;
            if (request.Command == Commands.List)
            {
                return ControlResponse.Success() with { Status = new StatusSnapshot("1.2.1", 4096, 0, _services.ToList()) };
            }

            if (request.Command == Commands.Batch)
            {
                var copy = _services.ToList();
                IReadOnlyList<ControlRequest> batch = request.Batch ?? [];
                for (int i = 0; i < batch.Count; i++)
                {
                    ControlResponse r = Apply(copy, batch[i]);
                    if (!r.Ok)
                    {
                        return r with { FailedIndex = i };
                    }
                }

                _services = copy;
                return ControlResponse.Success();
            }

            return Apply(_services, request);
        }
    }

    private static ControlResponse Apply(List<ServiceStatus> services, ControlRequest request)
    {
        if (request.Command == Commands.Clear)
        {
            services.Clear();
            return ControlResponse.Success();
        }

        int at = services.FindIndex(s => s.Key == request.Service);
        switch (request.Command)
        {
            case Commands.AddService when at >= 0:
                return ControlResponse.Fail(ControlError.ServiceExists, "exists");
            case Commands.AddService:
                services.Add(WithOptions(new ServiceStatus(request.Service!, "", Zero, []), request.Options!));
                return ControlResponse.Success();
        }

        if (at < 0)
        {
            return ControlResponse.Fail(ControlError.NoSuchService, "no such service");
        }

        ServiceStatus service = services[at];
        RealServerSpec? spec = request.Server;
        int server = spec is null ? -1 : service.Servers.ToList().FindIndex(d => d.Address == spec.Address && d.Port == spec.Port);
        switch (request.Command)
        {
            case Commands.EditService:
                services[at] = WithOptions(service, request.Options!);
                return ControlResponse.Success();
            case Commands.DeleteService:
                services.RemoveAt(at);
                return ControlResponse.Success();
            case Commands.AddServer when server >= 0:
                return ControlResponse.Fail(ControlError.DestinationExists, "exists");
            case Commands.AddServer:
                services[at] = service with { Servers = [.. service.Servers, Server(spec!)] };
                return ControlResponse.Success();
            case Commands.EditServer or Commands.DeleteServer when server < 0:
                return ControlResponse.Fail(ControlError.NoSuchDestination, "no such destination");
            case Commands.EditServer:
                services[at] = service with { Servers = [.. service.Servers.Select((d, i) => i == server ? Server(spec!) : d)] };
                return ControlResponse.Success();
            case Commands.DeleteServer:
                services[at] = service with { Servers = [.. service.Servers.Where((_, i) => i != server)] };
                return ControlResponse.Success();
            default:
                return ControlResponse.Fail(ControlError.Invalid, $"model: unexpected {request.Command}");
        }
    }

    private static ServiceStatus WithOptions(ServiceStatus service, ServiceOptions o) => service with
    {
        Scheduler = o.Scheduler,
        SchedulerFlags = o.SchedulerFlags,
        Persistent = o.Persistent,
        PersistenceTimeout = o.PersistenceTimeout,
        PersistenceNetmask = o.PersistenceNetmask,
        OnePacket = o.OnePacket,
    };

    private static RealServerStatus Server(RealServerSpec s) => new(s.Address, s.Port, s.Method, s.Weight, 0, 0, Zero)
    {
        TunnelType = s.TunnelType,
        TunnelPort = s.TunnelPort,
        TunnelChecksum = s.TunnelChecksum,
        UpperThreshold = s.UpperThreshold,
        LowerThreshold = s.LowerThreshold,
    };
}
