using System.Threading.Channels;
using Lvs.Core.Services;
using Lvs.Daemon.Config;
using Lvs.Health;
using Lvs.Linux;

namespace Lvs.Daemon.Health;

/// <summary>
/// lvsd's side of health checking: builds the checkers a keepalived.conf declares, runs them in a
/// <see cref="HealthMonitor"/>, and acts on their transitions as keepalived does — a failed server
/// leaves its service (or gets weight 0 with inhibit_on_failure), a recovered one returns with its
/// weight, misc_dynamic and agent reports set weights, and when the live weight of a service falls
/// below its quorum the sorry server takes over.
/// </summary>
/// <remarks>
/// Invariants:
/// <list type="bullet">
/// <item>Every table change takes the daemon's change gate, so it is ordered with lvsadm's commands and
/// reloads; the supervisor's own state is guarded by <c>_sync</c>, always taken after the gate.</item>
/// <item>The monitor's events are queued and handled on one loop, so a reload (which holds the gate
/// and removes monitored servers) never waits for an event handler that waits for the gate.</item>
/// <item>Operator changes win over ours until the next reload: a weight set by hand becomes the
/// server's base weight; a checked server added or deleted by hand is left alone. (keepalived simply
/// overwrites; it cannot see ipvsadm's changes.)</item>
/// <item>A reload applies the file as adjusted by the current health state, and keeps the state of
/// servers whose checkers did not change.</item>
/// </list>
/// </remarks>
public sealed partial class HealthSupervisor : IDisposable
{
    private readonly ServiceTable _table;
    private readonly object _gate;
    private readonly object _sync = new();
    private readonly TimeProvider _time;
    private readonly HealthMonitor _monitor;
    private readonly ScriptRunner _scripts = new();
    private readonly Channel<(MonitoredServer Server, ServerHealthChange Change)> _events =
        Channel.CreateUnbounded<(MonitoredServer, ServerHealthChange)>(new UnboundedChannelOptions { SingleReader = true });

    private readonly CancellationTokenSource _stop = new();
    private Dictionary<ServiceKey, ServiceEntry> _services = [];
    private Dictionary<MonitoredServer, ServerEntry> _byMonitor = [];
    private Task? _loop;
    private bool _started;

    /// <param name="table">The live service table.</param>
    /// <param name="changeGate">The daemon's lock that serialises every change to the table.</param>
    /// <param name="afterChange">Called (under the gate) after the supervisor changed the table: steering rules, ARP.</param>
    /// <summary>Called on each up/down transition with (now up, description), for the dashboard's events.</summary>
    public Action<bool, string>? Transition { get; set; }

    public HealthSupervisor(ServiceTable table, object changeGate, Action afterChange, TimeProvider? time = null, int maxConcurrentChecks = 256)
    {
        _table = table;
        _gate = changeGate;
        _time = time ?? TimeProvider.System;
        AfterChange = afterChange;
        _monitor = new HealthMonitor(_time, maxConcurrentChecks);
        _monitor.Changed += (server, change) => _events.Writer.TryWrite((server, change));
    }

    private Action AfterChange { get; }

    /// <summary>Services with health checking, for tests and the listing.</summary>
    internal IReadOnlyCollection<ServiceEntry> Services
    {
        get
        {
            lock (_sync)
            {
                return [.. _services.Values];
            }
        }
    }

    /// <summary>Starts checking and acting; call once the first configuration is committed.</summary>
    public void Start()
    {
        lock (_sync)
        {
            if (_started)
            {
                return;
            }

            _started = true;
            _loop = Task.Run(EventLoopAsync);
            _monitor.Start();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _events.Writer.TryComplete();
        _monitor.Dispose();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends by cancellation; nothing else to report at shutdown.
        }

        _stop.Dispose();
    }

    private async Task EventLoopAsync()
    {
        try
        {
            await foreach ((MonitoredServer server, ServerHealthChange change) in _events.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    lock (_sync)
                    {
                        if (_byMonitor.TryGetValue(server, out ServerEntry? entry) && _services.TryGetValue(entry.Service, out ServiceEntry? service))
                        {
                            OnChange(service, entry, change);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug here must not end lvsd's forwarding; it does end health actions, loudly.
            Log.Error("health supervisor stopped", ("error", e.ToString()));
        }
    }

    /// <summary>A checker transition: record it, log it, run the server's script, and bring the table in line.</summary>
    private void OnChange(ServiceEntry service, ServerEntry entry, ServerHealthChange change)
    {
        string before = HealthPolicy.StateName(entry.Up, entry.Agent);
        int weightBefore = entry.EffectiveWeight;
        entry.Up = change.Up;
        // Only MISC_CHECK sets an absolute weight; an agent's report scales the base weight itself.
        entry.DynamicWeight = entry.Checks.Any(c => c.Kind == "MISC_CHECK") ? change.DynamicWeight : null;
        entry.Agent = change.Agent;
        entry.Reason = change.Reason;
        string after = HealthPolicy.StateName(entry.Up, entry.Agent);
        if (before != after)
        {
            entry.Since = _time.GetUtcNow();
            Log.Info("real server health changed", ("service", service.Key), ("server", entry.Name), ("from", before), ("to", after),
                ("reason", change.Reason), ("weight", entry.EffectiveWeight));
            Transition?.Invoke(after != "down", $"{service.Key} {entry.Name}: {before} -> {after} ({change.Reason})");
            if (before == "down" || after == "down")
            {
                string? script = after == "down" ? HealthBlocks.Value(entry.Config.Statement, "notify_down") : HealthBlocks.Value(entry.Config.Statement, "notify_up");
                if (script is not null)
                {
                    _scripts.Run(script, $"{service.Key} {entry.Name} {after}");
                }
            }
        }
        else if (weightBefore != entry.EffectiveWeight)
        {
            Log.Info("real server weight from checks", ("service", service.Key), ("server", entry.Name), ("from", weightBefore),
                ("to", entry.EffectiveWeight), ("reason", change.Reason));
        }

        Reconcile(service);
    }
}
