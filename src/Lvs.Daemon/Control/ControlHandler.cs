using Lvs.Contracts;
using Lvs.Core;
using Lvs.Core.Connections;
using Lvs.Core.Forwarding;
using Lvs.Core.Scheduling;
using Lvs.Core.Services;
using CoreKey = Lvs.Core.Services.ServiceKey;
using WireKey = Lvs.Contracts.ServiceKey;

namespace Lvs.Daemon.Control;

/// <summary>
/// Applies control requests to the service table and answers with snapshots. Pure with respect
/// to I/O: the socket server feeds it requests, tests call it directly.
/// </summary>
/// <param name="timeouts">The timeouts every worker's connection table uses (ipvsadm --set).</param>
/// <param name="connections">Lists the connection tables (ipvsadm -L -c); runs on the workers, so it is handed in.</param>
/// <param name="reload">Re-reads the configuration file (SIGHUP, lvsadm --reload); null without --config.</param>
public sealed partial class ControlHandler(
    ServiceTable services,
    IReadOnlyList<Director> workers,
    Func<IReadOnlyList<DropCount>>? extraDrops = null,
    ConnectionTimeouts? timeouts = null,
    Func<IReadOnlyList<ConnectionEntry>>? connections = null,
    Func<ControlResponse>? reload = null)
{
    private readonly ConnectionTimeouts _timeouts = timeouts ?? new ConnectionTimeouts();

    /// <summary>The version ipvsadm prints in its header; ours mirrors the kernel's ip_vs.</summary>
    public const string IpvsVersion = "1.2.1";

    public ControlResponse Handle(ControlRequest request)
    {
        try
        {
            return request.Command switch
            {
                Commands.List => ControlResponse.Success() with { Status = Status() },
                Commands.Drops => ControlResponse.Success() with { Drops = Drops() },
                Commands.SetTimeouts => SetTimeouts(request.Timeouts),
                Commands.Connections => ControlResponse.Success() with { Connections = connections?.Invoke() ?? [] },
                Commands.Zero => Zero(request),
                Commands.Batch => Batch(request.Batch),
                Commands.Reload => reload is null
                    ? ControlResponse.Fail(ControlError.Invalid, "lvsd was started without --config: there is nothing to reload")
                    : reload(),
                _ => Change(request, services),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return ControlResponse.Fail(ControlError.Internal, e.Message);
        }
    }

    /// <summary>The commands that change services and servers, on the live table or on a rehearsal.</summary>
    private ControlResponse Change(ControlRequest request, IServiceTarget target) => request.Command switch
    {
        Commands.AddService => WithService(request, (k, o) => WithSettings(k, o!, s => target.AddService(k, s)), needsOptions: true),
        Commands.EditService => WithService(request, (k, o) => WithSettings(k, o!, s => target.EditService(k, s)), needsOptions: true),
        Commands.DeleteService => WithService(request, (k, _) => Map(target.DeleteService(k), k, null), needsOptions: false),
        Commands.Clear => Clear(target),
        Commands.AddServer => WithServer(request, (k, s) => target.AddServer(k, s.Address, s.Port, s.Method, s.Weight, s.Tunnel, s.Upper, s.Lower)),
        Commands.EditServer => WithServer(request, (k, s) => target.EditServer(k, s.Address, s.Port, s.Method, s.Weight, s.Tunnel, s.Upper, s.Lower)),
        Commands.DeleteServer => WithServer(request, (k, s) => target.DeleteServer(k, s.Address, s.Port), identityOnly: true),
        _ => ControlResponse.Fail(ControlError.Invalid, $"unknown command '{request.Command}'"),
    };

    /// <summary>
    /// ipvsadm -R, all or nothing: the commands are rehearsed in order on a copy of the
    /// configuration, and only when every one succeeds is the result applied, by difference.
    /// </summary>
    private ControlResponse Batch(IReadOnlyList<ControlRequest>? batch)
    {
        if (batch is null)
        {
            return ControlResponse.Fail(ControlError.Invalid, "missing batch");
        }

        var rehearsal = new ConfigurationBuilder(services.Export());
        for (int i = 0; i < batch.Count; i++)
        {
            ControlRequest r = batch[i];
            if (r.Command is not (Commands.AddService or Commands.EditService or Commands.DeleteService or Commands.Clear
                or Commands.AddServer or Commands.EditServer or Commands.DeleteServer))
            {
                return ControlResponse.Fail(ControlError.Invalid, $"'{r.Command}' cannot be part of a restore") with { FailedIndex = i };
            }

            ControlResponse response = Change(r, rehearsal);
            if (!response.Ok)
            {
                return response with { FailedIndex = i };
            }
        }

        return services.Apply(rehearsal.Build(), out string? error)
            ? ControlResponse.Success()
            : ControlResponse.Fail(ControlError.Invalid, error!);
    }

    private static ControlResponse Clear(IServiceTarget target)
    {
        target.Clear();
        return ControlResponse.Success();
    }

    private ControlResponse Zero(ControlRequest request)
    {
        CoreKey? key = null;
        if (request.Service is not null)
        {
            if (!TryParseKey(request.Service, out CoreKey k, out string? error))
            {
                return ControlResponse.Fail(ControlError.Invalid, error!);
            }

            key = k;
        }

        return Map(services.Zero(key), key ?? default, null);
    }

    private static ControlResponse WithService(ControlRequest request, Func<CoreKey, ServiceOptions?, ControlResponse> action, bool needsOptions)
    {
        if (request.Service is null)
        {
            return ControlResponse.Fail(ControlError.Invalid, "missing service");
        }

        if (!TryParseKey(request.Service, out CoreKey key, out string? error))
        {
            return ControlResponse.Fail(ControlError.Invalid, error!);
        }

        if (needsOptions && request.Options is null)
        {
            return ControlResponse.Fail(ControlError.Invalid, "missing service options");
        }

        return action(key, request.Options);
    }

    /// <param name="identityOnly">Delete names a server by address and port only; its method and weight are ignored.</param>
    private static ControlResponse WithServer(ControlRequest request, Func<CoreKey, ParsedServer, TableResult> action, bool identityOnly = false)
    {
        if (request.Service is null || request.Server is null)
        {
            return ControlResponse.Fail(ControlError.Invalid, "missing service or real server");
        }

        if (!TryParseKey(request.Service, out CoreKey key, out string? error))
        {
            return ControlResponse.Fail(ControlError.Invalid, error!);
        }

        RealServerSpec spec = request.Server;
        if (!InetAddress.TryParse(spec.Address, out InetAddress address))
        {
            return ControlResponse.Fail(ControlError.Invalid, $"real server address '{spec.Address}' is not an IPv4 or IPv6 address");
        }

        ushort port = spec.Port == 0 ? key.Port : spec.Port;
        if (identityOnly)
        {
            return Map(action(key, new ParsedServer(address, port, ForwardMethod.Masquerade, 0)), key, null);
        }

        if (spec.Weight is < 0 or > 65535)
        {
            return ControlResponse.Fail(ControlError.Invalid, $"weight {spec.Weight} out of range 0..65535");
        }

        ForwardMethod method;
        switch (spec.Method)
        {
            case "masq":
                method = ForwardMethod.Masquerade;
                break;
            case "route":
                method = ForwardMethod.DirectRoute;
                break;
            case "tunnel":
                method = ForwardMethod.Tunnel;
                break;
            default:
                return ControlResponse.Fail(ControlError.Invalid, $"unknown forwarding method '{spec.Method}'");
        }

        // ip_vs: a real server of the other family only behind a tunnel (ipvsadm's own check and message).
        if (address.IsV6 != key.IsV6 && method != ForwardMethod.Tunnel)
        {
            return ControlResponse.Fail(ControlError.Invalid, "Different address family is allowed only for tunneling servers");
        }

        TunnelSpec tunnel = default;
        if (method == ForwardMethod.Tunnel && !TryParseTunnel(spec, out tunnel, out string? tunnelError))
        {
            return ControlResponse.Fail(ControlError.Invalid, tunnelError!);
        }

        if (method == ForwardMethod.Tunnel && tunnel.Type != TunnelType.IpIp && (address.IsV6 || key.IsV6))
        {
            return ControlResponse.Fail(ControlError.Invalid,
                "GUE and GRE tunnels with an IPv6 service or real server are not built (use --tun-type ipip)");
        }

        // DR and TUN cannot change the port: the real server answers on the service's (ipvsadm does the same).
        if (method != ForwardMethod.Masquerade)
        {
            port = key.Port;
        }

        if (spec.UpperThreshold < 0 || spec.LowerThreshold < 0)
        {
            return ControlResponse.Fail(ControlError.Invalid, "thresholds must not be negative");
        }

        if (spec.UpperThreshold != 0 && spec.LowerThreshold > spec.UpperThreshold)
        {
            return ControlResponse.Fail(ControlError.Invalid,
                $"lower threshold {spec.LowerThreshold} is above the upper threshold {spec.UpperThreshold}");
        }

        return Map(action(key, new ParsedServer(address, port, method, spec.Weight, tunnel, spec.UpperThreshold, spec.LowerThreshold)), key, null);
    }

    private static bool TryParseKey(WireKey wire, out CoreKey key, out string? error)
    {
        key = default;
        error = null;
        if (wire.Protocol == "fwmark")
        {
            if (wire.Fwmark == 0)
            {
                error = "a fwmark service needs a mark greater than 0";
                return false;
            }

            key = CoreKey.ForFwmark(wire.Fwmark, wire.Ipv6);
            return true;
        }

        IpProtocol protocol;
        switch (wire.Protocol)
        {
            case "tcp":
                protocol = IpProtocol.Tcp;
                break;
            case "udp":
                protocol = IpProtocol.Udp;
                break;
            default:
                error = $"unknown protocol '{wire.Protocol}'";
                return false;
        }

        if (!InetAddress.TryParse(wire.Address, out InetAddress address))
        {
            error = $"virtual address '{wire.Address}' is not an IPv4 or IPv6 address";
            return false;
        }

        key = new CoreKey(protocol, address, wire.Port);
        return true;
    }

    private static ControlResponse Map(TableResult result, CoreKey key, string? scheduler) => result switch
    {
        TableResult.Ok => ControlResponse.Success(),
        TableResult.ServiceExists => ControlResponse.Fail(ControlError.ServiceExists, $"service {key} already exists"),
        TableResult.NoSuchService => ControlResponse.Fail(ControlError.NoSuchService, $"no service {key}"),
        TableResult.DestinationExists => ControlResponse.Fail(ControlError.DestinationExists, "destination already exists"),
        TableResult.NoSuchDestination => ControlResponse.Fail(ControlError.NoSuchDestination, "no such destination"),
        TableResult.UnknownScheduler => ControlResponse.Fail(
            ControlError.Invalid,
            SchedulerRegistry.IpvsNames.Contains(scheduler)
                ? $"scheduler '{scheduler}' is not built yet (built: {string.Join(", ", SchedulerRegistry.Names)})"
                : $"unknown scheduler '{scheduler}'"),
        _ => ControlResponse.Fail(ControlError.Internal, result.ToString()),
    };

    private StatusSnapshot Status()
    {
        var list = new List<ServiceStatus>();
        foreach (VirtualService svc in services.Snapshot())
        {
            var servers = new List<RealServerStatus>();
            foreach (RealServer d in svc.Destinations)
            {
                var status = new RealServerStatus(
                    d.Address.ToString(), d.Port, MethodName(d.Method), d.Weight,
                    d.Counters.ActiveConns, d.Counters.InactiveConns, Stats(d.Counters.Totals))
                {
                    UpperThreshold = d.UpperThreshold,
                    LowerThreshold = d.LowerThreshold,
                    PersistentConns = d.PersistConns,
                    Rates = Rates(d.Counters.Estimator.Rates),
                };
                if (d.Method == ForwardMethod.Tunnel)
                {
                    TunnelSpec t = d.Tunnel;
                    status = status with
                    {
                        TunnelType = t.Type switch { TunnelType.Gue => "gue", TunnelType.Gre => "gre", _ => "ipip" },
                        TunnelPort = t.Port,
                        TunnelChecksum = t.Checksum switch { TunnelChecksum.Checksum => "csum", TunnelChecksum.RemoteChecksum => "remcsum", _ => "nocsum" },
                    };
                }

                servers.Add(status);
            }

            ServiceSettings settings = svc.Settings;
            list.Add(new ServiceStatus(
                svc.Key.IsFwmark
                    ? WireKey.ForFwmark(svc.Key.Mark) with { Ipv6 = svc.Key.IsV6 }
                    : new WireKey(svc.Key.Protocol == IpProtocol.Tcp ? "tcp" : "udp", svc.Key.Address.ToString(), svc.Key.Port),
                svc.Scheduler.Name, Stats(svc.Counters.Totals), servers)
            {
                SchedulerFlags = FlagList(settings),
                Persistent = settings.Persistent,
                PersistenceTimeout = settings.PersistenceTimeoutMs / 1000,
                PersistenceNetmask = !settings.Persistent ? null
                    : svc.Key.IsV6 ? Math.Min(settings.PersistenceMask, 128u).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : Ipv4.Format(settings.PersistenceMask),
                OnePacket = settings.OnePacket,
                Rates = Rates(svc.Counters.Estimator.Rates),
            });
        }

        int buckets = workers.Count > 0 ? workers[0].Connections.BucketCount : 0;
        int conns = workers.Sum(w => w.Connections.Count);
        return new StatusSnapshot(IpvsVersion, buckets, conns, list) { Timeouts = CurrentTimeouts() };
    }

    private IReadOnlyList<DropCount> Drops()
    {
        var counts = new List<DropCount>();
        for (int r = 1; r < DropReasons.Count; r++)
        {
            var reason = (DropReason)r;
            long total = workers.Sum(w => w.Drops[reason]);
            counts.Add(new DropCount(DropReasons.Name(reason), (ulong)total));
        }

        if (extraDrops is not null)
        {
            counts.AddRange(extraDrops());
        }

        return counts;
    }

    private static TrafficRates Rates(TrafficRateValues r) =>
        new((ulong)r.Cps, (ulong)r.InPps, (ulong)r.OutPps, (ulong)r.InBps, (ulong)r.OutBps);

    private static TrafficStats Stats(TrafficTotals t) =>
        new((ulong)t.Conns, (ulong)t.InPackets, (ulong)t.OutPackets, (ulong)t.InBytes, (ulong)t.OutBytes);

    private static string MethodName(ForwardMethod m) => m switch
    {
        ForwardMethod.Masquerade => "masq",
        ForwardMethod.DirectRoute => "route",
        _ => "tunnel",
    };

    private static bool TryParseTunnel(RealServerSpec spec, out TunnelSpec tunnel, out string? error)
    {
        tunnel = default;
        error = null;
        TunnelType type;
        switch (spec.TunnelType ?? "ipip")
        {
            case "ipip":
                type = TunnelType.IpIp;
                break;
            case "gue":
                type = TunnelType.Gue;
                break;
            case "gre":
                type = TunnelType.Gre;
                break;
            default:
                error = $"unknown tunnel type '{spec.TunnelType}'";
                return false;
        }

        TunnelChecksum checksum;
        switch (spec.TunnelChecksum ?? "nocsum")
        {
            case "nocsum":
                checksum = TunnelChecksum.NoChecksum;
                break;
            case "csum":
                checksum = TunnelChecksum.Checksum;
                break;
            case "remcsum":
                checksum = TunnelChecksum.RemoteChecksum;
                break;
            default:
                error = $"unknown tunnel checksum option '{spec.TunnelChecksum}'";
                return false;
        }

        if (type == TunnelType.Gue && spec.TunnelPort == 0)
        {
            error = "a gue tunnel needs a port (--tun-port)";
            return false;
        }

        tunnel = new TunnelSpec(type, type == TunnelType.Gue ? spec.TunnelPort : (ushort)0, type == TunnelType.IpIp ? TunnelChecksum.NoChecksum : checksum);
        return true;
    }

    private readonly record struct ParsedServer(InetAddress Address, ushort Port, ForwardMethod Method, int Weight, TunnelSpec Tunnel = default,
        int Upper = 0, int Lower = 0);
}
