using System.Runtime.InteropServices;
using Lvs.Contracts;
using Lvs.Core;
using Lvs.Core.Connections;
using Lvs.Core.Services;
using Lvs.Daemon.Control;
using Lvs.Daemon.DataPath;
using Lvs.Linux;
using Lvs.Linux.Interop;
using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO;
using Lvs.Linux.Steering;

namespace Lvs.Daemon;

/// <summary>
/// lvsd's process: wires the service table, the worker, netlink, steering and the control
/// socket together, and takes them down in reverse order on SIGINT/SIGTERM.
/// </summary>
public sealed class DaemonHost : IDisposable
{
    private readonly ManualResetEventSlim _stop = new();
    private readonly List<IDisposable> _owned = [];
    private readonly List<PosixSignalRegistration> _signals = [];
    private Timer? _estimator;

    // Control requests and SIGHUP reloads change the table one at a time, so a restore rehearsed
    // on one configuration is never applied over a reload that happened in between.
    private readonly object _changeGate = new();
    private SteeringSync? _steering;
    private NetlinkMirror? _mirror;
    private Worker? _worker;
    private ControlServer? _control;
    private int _exitCode;

    private DaemonHost()
    {
    }

    public static DaemonHost Start(Options options)
    {
        var host = new DaemonHost();
        try
        {
            host.Init(options);
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>Blocks until a signal or a worker failure; returns the exit code.</summary>
    public int WaitForExit()
    {
        _stop.Wait();
        return _exitCode;
    }

    public void Dispose()
    {
        _estimator?.Dispose();
        _control?.Dispose();
        _worker?.Dispose();
        try
        {
            _steering?.RemoveAll();
            Log.Info("steering rules removed");
        }
        catch (Exception e) when (e is NftException or IOException or InvalidOperationException)
        {
            Log.Error("could not remove steering rules", ("error", e.Message));
        }

        for (int i = _owned.Count - 1; i >= 0; i--)
        {
            _owned[i].Dispose();
        }

        foreach (PosixSignalRegistration s in _signals)
        {
            s.Dispose();
        }
    }

    private void Init(Options options)
    {
        var services = new ServiceTable(workers: 1);
        var timeouts = new ConnectionTimeouts();
        var table = new ConnectionTable(worker: 0, initialCapacity: 65536, maxEntries: options.MaxConnections) { Timeouts = timeouts };
        var director = new Director(services, worker: 0, table) { ExpireNodestConn = options.ExpireNodestConn };

        RtNetlinkSocket netlink = RtNetlinkSocket.Open();
        _owned.Add(netlink);
        var mirror = new NetlinkMirror();
        mirror.Load(netlink);
        _mirror = mirror;

        List<LinkInfo> links = SelectInterfaces(mirror, netlink, options.Interfaces);
        var ports = new List<Port>();
        foreach (LinkInfo link in links)
        {
            try
            {
                PacketRing ring = PacketRing.Open(link.Name);
                PacketSender sender = PacketSender.Open(link.Name);
                var port = new Port(link.Name, link.Index, link.Mac, ring, sender);
                ports.Add(port);
                _owned.Add(port);
            }
            catch (LinuxException e)
            {
                throw new StartupException($"cannot open packet socket on {link.Name}: {e.Message}", e);
            }
        }

        var nft = new NftSteering(options.NftTable);
        _steering = new SteeringSync(nft, services, mirror, [.. links.Select(l => l.Name)], options.FwmarkTable);
        try
        {
            // Rules of a run that crashed would black-hole VIP traffic: start from none.
            _steering.RemoveAll();
            _steering.Apply();
        }
        catch (FwmarkRuleException e)
        {
            Log.Error("marking rules for fwmark services refused; fwmark services match nothing until they are fixed", ("error", e.Message));
        }
        catch (Exception e) when (e is NftException or IOException or System.ComponentModel.Win32Exception)
        {
            throw new StartupException($"cannot install nftables steering rules (is the nftables package installed?): {e.Message}", e);
        }

        _worker = new Worker(director, mirror, netlink, ports);
        _worker.Failed += () =>
        {
            _exitCode = 1;
            _stop.Set();
        };

        ConfigReloader? reloader = null;
        if (options.ConfigPath is { } configPath)
        {
            reloader = new ConfigReloader(configPath, services, timeouts);
            ControlResponse loaded = reloader.Reload("start");
            if (!loaded.Ok)
            {
                throw new StartupException(loaded.Message ?? $"{configPath} refused");
            }

            ApplySteeringAfterConfig();
            ResolveAllServers(services);
        }

        Worker worker = _worker;
        var handler = new ControlHandler(services, [director], () => PortDrops(ports), timeouts,
            () => worker.ListConnections(TimeSpan.FromSeconds(5)) ?? throw new TimeoutException("the worker did not answer within 5 s"),
            reloader is null ? null : () => reloader.Reload("reload"));
        try
        {
            _control = new ControlServer(options.ControlPath, request => Apply(handler, request, services));
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or InvalidOperationException or UnauthorizedAccessException)
        {
            throw new StartupException($"cannot open control socket {options.ControlPath}: {e.Message}", e);
        }

        if (reloader is not null)
        {
            _signals.Add(PosixSignalRegistration.Create(PosixSignal.SIGHUP, ctx =>
            {
                ctx.Cancel = true;
                Log.Info("reloading", ("signal", ctx.Signal), ("file", reloader.Path));
                ThreadPool.QueueUserWorkItem(_ => Apply(handler, new ControlRequest { Command = Commands.Reload }, services));
            }));
        }

        foreach (PosixSignal sig in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            _signals.Add(PosixSignalRegistration.Create(sig, ctx =>
            {
                ctx.Cancel = true;
                Log.Info("stopping", ("signal", ctx.Signal));
                _stop.Set();
            }));
        }

        // ip_vs_est: rates are estimated every 2 s, off the data path.
        _estimator = new Timer(_ => services.EstimateRates(), null, RateEstimator.TickMs, RateEstimator.TickMs);
        _worker.Start();
        _control.Start();
        Log.Info("lvsd started", ("interfaces", string.Join(",", links.Select(l => l.Name))), ("control", options.ControlPath));
    }

    /// <summary>Asks for every real server's MAC now, so the first packets need not wait for ARP.</summary>
    private void ResolveAllServers(ServiceTable services)
    {
        foreach (ServiceDefinition svc in services.Export().Services)
        {
            foreach (RealServerDefinition d in svc.Servers)
            {
                _worker!.RequestResolve(d.Address);
            }
        }
    }

    private void ApplySteeringAfterConfig()
    {
        try
        {
            _steering!.Apply();
        }
        catch (FwmarkRuleException e)
        {
            Log.Error("marking rules for fwmark services refused", ("error", e.Message));
        }
    }

    private ControlResponse Apply(ControlHandler handler, ControlRequest request, ServiceTable services)
    {
        lock (_changeGate)
        {
            return ApplyLocked(handler, request, services);
        }
    }

    private ControlResponse ApplyLocked(ControlHandler handler, ControlRequest request, ServiceTable services)
    {
        if (request.Command is Commands.AddServer or Commands.EditServer && request.Server is { } spec
            && Unreachable(spec) is { } why)
        {
            return ControlResponse.Fail(ControlError.Invalid, why);
        }

        if (request.Command == Commands.Batch && request.Batch is { } batch)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                if (batch[i].Command is Commands.AddServer or Commands.EditServer && batch[i].Server is { } s
                    && Unreachable(s) is { } reason)
                {
                    return ControlResponse.Fail(ControlError.Invalid, reason) with { FailedIndex = i };
                }
            }
        }

        ControlResponse response = handler.Handle(request);
        bool mutating = request.Command is not (Commands.List or Commands.Drops or Commands.Zero or Commands.Connections or Commands.SetTimeouts);
        if (!response.Ok || !mutating)
        {
            return response;
        }

        Log.Info("configuration changed", ("command", request.Command), ("service", Describe(request)));
        try
        {
            _steering!.Apply();
        }
        catch (FwmarkRuleException e)
        {
            Log.Error("marking rules for fwmark services refused; the previous ones stay in force", ("error", e.Message));
            if (request.Service?.Protocol == "fwmark")
            {
                return ControlResponse.Fail(ControlError.Internal, $"change applied, but the marking rules were refused: {e.Message}");
            }
        }
        catch (Exception e) when (e is NftException or IOException or ArgumentException)
        {
            Log.Error("steering rules not installed", ("error", e.Message));
            return ControlResponse.Fail(ControlError.Internal, $"change applied but steering rules failed: {e.Message}");
        }

        if (request.Command == Commands.AddServer && request.Server is { } server
            && Ipv4.TryParse(server.Address, out uint rip))
        {
            _worker!.RequestResolve(rip);
        }
        else if (request.Command is Commands.Batch or Commands.Reload)
        {
            ResolveAllServers(services);
        }

        return response;
    }

    /// <summary>
    /// DR needs the real server on a directly connected network (only its MAC changes), TUN
    /// needs a route to it; both can be told when the server is added, so refuse it then.
    /// </summary>
    private string? Unreachable(RealServerSpec spec)
    {
        if (spec.Method is not ("route" or "tunnel") || !Ipv4.TryParse(spec.Address, out uint rip) || _mirror is null)
        {
            return null;
        }

        if (!_mirror.Routing.TryResolve(rip, out NextHop hop))
        {
            return hop.Kind == NextHopKind.Local
                ? $"real server {spec.Address} is an address of the director itself"
                : $"no route to real server {spec.Address}";
        }

        if (spec.Method == "route" && hop.NextHopAddress != rip)
        {
            return $"direct routing needs real server {spec.Address} on a directly connected network, "
                   + $"but its route goes via {Ipv4.Format(hop.NextHopAddress)} (use -i to tunnel to it, or -m)";
        }

        return null;
    }

    private static string Describe(ControlRequest r) =>
        r.Service is null ? "" : $"{r.Service.Protocol} {r.Service.Address}:{r.Service.Port}" + (r.Server is null ? "" : $" -> {r.Server.Address}:{r.Server.Port}");

    private static IReadOnlyList<DropCount> PortDrops(IReadOnlyList<Port> ports)
    {
        ulong ring = 0, noBuffers = 0, tooBig = 0, other = 0;
        foreach (Port p in ports)
        {
            ring += p.Ring.ReadStatistics().Drops;
            SenderStats s = p.Sender.ReadStatistics();
            noBuffers += s.DroppedNoBuffers;
            tooBig += s.DroppedTooBig;
            other += s.DroppedMalformed + s.DroppedOther;
        }

        return
        [
            new DropCount("ring-overflow", ring),
            new DropCount("tx-no-buffers", noBuffers),
            new DropCount("tx-too-big", tooBig),
            new DropCount("tx-error", other),
        ];
    }

    private static List<LinkInfo> SelectInterfaces(NetlinkMirror mirror, RtNetlinkSocket netlink, IReadOnlyList<string> names)
    {
        IReadOnlyList<LinkInfo> all = netlink.DumpLinks();
        if (names.Count == 0)
        {
            List<LinkInfo> chosen = [.. all.Where(l => !l.IsLoopback && l.IsUp && !l.Mac.IsZero)];
            if (chosen.Count == 0)
            {
                throw new StartupException("no non-loopback interface is up in this network namespace");
            }

            return chosen;
        }

        var result = new List<LinkInfo>();
        foreach (string name in names)
        {
            LinkInfo link = all.FirstOrDefault(l => l.Name == name)
                            ?? throw new StartupException($"no interface named '{name}'");
            result.Add(link);
        }

        return result;
    }
}
