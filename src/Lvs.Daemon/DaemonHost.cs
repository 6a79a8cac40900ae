using System.Runtime.InteropServices;
using Lvs.Contracts;
using Lvs.Core;
using Lvs.Core.Connections;
using Lvs.Core.Services;
using Lvs.Core.Sync;
using Lvs.Daemon.Control;
using Lvs.Daemon.DataPath;
using Lvs.Daemon.Health;
using Lvs.Daemon.Sync;
using Lvs.Daemon.Systemd;
using Lvs.Daemon.Web;
using Lvs.Linux;
using Lvs.Linux.Interop;
using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO;
using Lvs.Linux.PacketIO.Xdp;
using Lvs.Linux.Steering;

namespace Lvs.Daemon;

/// <summary>
/// lvsd's process: wires the service table, the worker, netlink, steering and the control
/// socket together, and takes them down in reverse order on SIGINT/SIGTERM.
/// </summary>
public sealed partial class DaemonHost : IDisposable
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
    private SyncDaemon? _sync;
    private HealthSupervisor? _health;
    private WebServer? _web;
    private SdNotify? _notify;
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

    /// <summary>
    /// Recent events for the dashboard (start, reloads, configuration changes; health checkers and
    /// VRRP add server-down/up and failover). Bounded: the oldest are dropped.
    /// </summary>
    public EventRing Events { get; } = new(256, TimeProvider.System);

    /// <summary>Blocks until a signal or a worker failure; returns the exit code.</summary>
    public int WaitForExit()
    {
        _stop.Wait();
        return _exitCode;
    }

    public void Dispose()
    {
        StopVrrp();
        _estimator?.Dispose();
        _health?.Dispose();
        _web?.Dispose();
        _control?.Dispose();
        _sync?.Dispose();
        foreach (Worker w in _workers)
        {
            w.Dispose();
        }

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

        _notify?.Dispose();
    }

    private void Init(Options options)
    {
        int workers = options.Workers;
        var services = new ServiceTable(workers: workers);
        var timeouts = new ConnectionTimeouts();

        // One sync ring per worker (single producer each), one set of counters; the sync daemon drains them all.
        var syncCounters = new Lvs.Core.Sync.SyncCounters();
        var syncSources = new SyncSource[workers];
        var directors = new Director[workers];
        for (int i = 0; i < workers; i++)
        {
            syncSources[i] = new SyncSource(new SyncRing(), syncCounters);
            var table = new ConnectionTable(worker: i, initialCapacity: 65536, maxEntries: options.MaxConnections) { Timeouts = timeouts };
            directors[i] = new Director(services, worker: i, table) { ExpireNodestConn = options.ExpireNodestConn, Sync = syncSources[i] };
        }

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
                var port = new Port(link.Name, link.Index, link.Mac, OpenIo(link.Name, options.Io, options.RxRing));
                ports.Add(port);
                _owned.Add(port);
            }
            catch (LinuxException e)
            {
                throw new StartupException($"cannot open packet socket on {link.Name}: {e.Message}", e);
            }
        }

        List<Port>[] workerPorts = [ports];
        PacketRing[] fanoutGroups = [];
        if (workers > 1)
        {
            workerPorts = OpenWorkerPorts(links, ports, workers, options.RxRing, out fanoutGroups);
        }

        var nft = new NftSteering(options.NftTable);
        XdpPacketPort[] xdpPorts = [.. ports.Select(p => p.Io).OfType<XdpPacketPort>()];
        Action<SteeringSpec>? alsoApply = workers > 1 ? spec => ApplyFanout(fanoutGroups, spec)
            : xdpPorts.Length == 0 ? null : spec => ApplyXdpSteering(xdpPorts, spec);
        _steering = new SteeringSync(nft, services, mirror, [.. links.Select(l => l.Name)], options.FwmarkTable, alsoApply);
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

        // Worker 0 applies netlink events to the shared mirror; the others only read it.
        _workers = new Worker[workers];
        for (int i = 0; i < workers; i++)
        {
            var w = new Worker(directors[i], mirror, i == 0 ? netlink : null, workerPorts[i], i, pinCpu: workers > 1)
            {
                SyncCounters = syncCounters,
            };
            _workers[i] = w;
            w.Failed += () =>
            {
                Events.Add(EventKinds.Error, "a worker failed; lvsd stops");
                _exitCode = 1;
                _stop.Set();
            };
        }

        _worker = _workers[0];
        _sync = workers == 1 ? new SyncDaemon(syncSources[0], _worker) : new SyncDaemon(syncSources, new WorkerSyncTable(_workers, () => _fanoutKey));

        ConfigReloader? reloader = null;
        if (options.ConfigPath is { } configPath)
        {
            // Health checks act under the change gate, after which the steering rules and ARP follow the table.
            _health = new HealthSupervisor(services, _changeGate, () =>
            {
                ApplySteeringAfterConfig();
                ResolveAllServers(services);
            })
            {
                Transition = (up, text) => Events.Add(up ? EventKinds.ServerUp : EventKinds.ServerDown, text),
            };
            reloader = new ConfigReloader(configPath, services, timeouts, _health);
            ControlResponse loaded = reloader.Reload("start");
            if (!loaded.Ok)
            {
                throw new StartupException(loaded.Message ?? $"{configPath} refused");
            }

            ApplySteeringAfterConfig();
            ResolveAllServers(services);
        }

        Worker worker = _worker;
        Worker[] all = _workers;
        List<Port> allPorts = [.. workerPorts.SelectMany(p => p)];
        var handler = new ControlHandler(services, directors, () => PortDrops(allPorts), timeouts,
            all.Length == 1
                ? () => worker.ListConnections(TimeSpan.FromSeconds(5)) ?? throw new TimeoutException("the worker did not answer within 5 s")
                : () => ListAllConnections(all, TimeSpan.FromSeconds(5)),
            reloader is null ? null : () => reloader.Reload("reload"))
        {
            Health = _health is null ? null : _health.View,
        };
        try
        {
            _control = new ControlServer(options.ControlPath, request => request.Command == Commands.Vrrp ? VrrpStatus() : Apply(handler, request, services));
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
                Events.Add(EventKinds.Stop, $"stopping on {ctx.Signal}");
                _notify?.Stopping();
                _stop.Set();
            }));
        }

        // ip_vs_est: rates are estimated every 2 s, off the data path.
        _estimator = new Timer(_ => services.EstimateRates(), null, RateEstimator.TickMs, RateEstimator.TickMs);
        foreach (Worker w in _workers)
        {
            w.Start();
        }

        string? syncInstance = reloader?.SyncDaemon is { } syncNode ? StartConfiguredSync(syncNode) : null;
        if (options.ConfigPath is { } vrrpConfigPath)
        {
            // After the worker and the sync daemon: a new master forwards at once, and the
            // instance lvs_sync_daemon names moves the sync role with it.
            StartVrrp(vrrpConfigPath, syncInstance);
            PublishVrrpEvents();
        }

        if (options.Web is { } web)
        {
            StartWeb(web, handler, directors);
        }

        _control.Start();
        _health?.Start();
        string ifaces = string.Join(",", links.Select(l => l.Name));
        Log.Info("lvsd started", ("interfaces", ifaces), ("control", options.ControlPath), ("web", options.Web?.ToString() ?? "off"));
        Events.Add(EventKinds.Start, $"lvsd started on {ifaces}");
        _notify = SdNotify.FromEnvironment();
        int count = services.Snapshot().Count;
        _notify?.Ready($"serving {count} virtual service{(count == 1 ? "" : "s")} on {ifaces}");
    }

    private void StartWeb(WebEndpoint endpoint, ControlHandler handler, Director[] directors)
    {
        // Health, VRRP and sync series and panels appear only when those features run.
        Lvs.Vrrp.VrrpService? vrrp = Vrrp;
        SyncDaemon? sync = _sync;
        var snapshots = new WebSnapshotProvider(handler.Handle, () => [.. directors.Select(d => d.Frames)], TimeProvider.System,
            _health is null ? null : new HealthSource(handler.Handle),
            vrrp is null ? null : new VrrpSource(() => Vrrp),
            sync is null ? null : new WebSyncSource(sync));
        try
        {
            _web = WebServer.Start(endpoint, snapshots, Events);
        }
        catch (IOException e)
        {
            throw new StartupException(e.Message, e);
        }
    }

    /// <summary>
    /// Tells the worker which addresses' MACs must stay known (every real server's), so that it
    /// asks again as soon as the kernel forgets one (a flush, a neighbour gone FAILED) instead
    /// of dropping the next packet to it.
    /// </summary>
    private void PublishResolveTargets(ServiceTable services) =>
        _worker!.SetResolveTargets([.. services.Export().Services.SelectMany(s => s.Servers).Select(d => d.Address).Distinct()]);

    /// <summary>Asks for every real server's MAC now, so the first packets need not wait for ARP.</summary>
    private void ResolveAllServers(ServiceTable services)
    {
        PublishResolveTargets(services);
        foreach (ServiceDefinition svc in services.Export().Services)
        {
            foreach (RealServerDefinition d in svc.Servers)
            {
                _worker!.RequestResolve(d.Address);

                // Single commands refuse these; a file is applied whole, so warn (its packets are counted).
                string method = d.Method switch { ForwardMethod.DirectRoute => "route", ForwardMethod.Tunnel => "tunnel", _ => "masq" };
                if (Unreachable(new RealServerSpec(d.Address.ToString(), d.Port, method, d.Weight)) is { } why)
                {
                    Log.Warn("real server unreachable", ("service", svc.Key), ("problem", why));
                }
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
