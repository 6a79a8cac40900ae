using System.Globalization;
using Lvs.Core.Services;
using Lvs.Daemon.Config;
using Lvs.Health;
using Lvs.Linux;

namespace Lvs.Daemon.Health;

/// <summary>The health part of a configuration, checked before it is applied and made current after.</summary>
public sealed class HealthPlan
{
    internal HealthPlan(Dictionary<ServiceKey, ServiceEntry> services) => Services = services;

    internal Dictionary<ServiceKey, ServiceEntry> Services { get; }

    /// <summary>Number of real servers with at least one checker.</summary>
    public int CheckedServers => Services.Values.Sum(s => s.Servers.Count(e => e.Checks.Count > 0));

    /// <summary>
    /// The configuration as the table should have it given the health state: servers that are down
    /// left out (or at weight 0 with inhibit_on_failure), weights from misc_dynamic and agents, and the
    /// sorry server where a service lacks quorum.
    /// </summary>
    public Configuration Adjust(Configuration configuration) =>
        new([.. configuration.Services.Select(def => Services.TryGetValue(def.Key, out ServiceEntry? s) ? Adjust(def, s) : def)]);

    private static ServiceDefinition Adjust(ServiceDefinition def, ServiceEntry s)
    {
        var servers = new List<RealServerDefinition>();
        if (s.Sorry is { } sorry && HealthPolicy.DesiredSorryWeight(s.SorryActive, sorry.Inhibit) is { } sw)
        {
            servers.Add(s.SorryDefinition(sw)!);
        }

        foreach (RealServerDefinition d in def.Servers)
        {
            ServerEntry? e = s.Servers.FirstOrDefault(x => x.Address == d.Address && x.Port == d.Port);
            int? want = e is null ? d.Weight : HealthPolicy.DesiredWeight(e.Up, e.EffectiveWeight, e.Config.InhibitOnFailure, s.SorryActive);
            if (want is { } w && !servers.Exists(x => x.Address == d.Address && x.Port == d.Port))
            {
                servers.Add(d with { Weight = w });
            }
        }

        return def with { Servers = servers };
    }
}

/// <summary>Loading: building checkers from a configuration, keeping state across reloads.</summary>
public sealed partial class HealthSupervisor
{
    /// <summary>
    /// Builds the checkers <paramref name="result"/> declares, keeping the state of servers whose checks
    /// did not change. Null, with "file:line:col: reason" errors, when a checker block is invalid;
    /// nothing current changes either way.
    /// </summary>
    public HealthPlan? Prepare(ConfigLoadResult result, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        var services = new Dictionary<ServiceKey, ServiceEntry>();
        Dictionary<ServiceKey, ServiceDefinition> defs = result.Configuration?.Services.ToDictionary(s => s.Key) ?? [];
        lock (_sync)
        {
            foreach ((ServiceKey key, ServiceHealth health) in result.Health)
            {
                result.SorryServers.TryGetValue(key, out SorryServer? sorry);
                if (!defs.TryGetValue(key, out ServiceDefinition? def) || (sorry is null && health.Servers.All(s => s.Checkers.Count == 0)))
                {
                    continue;
                }

                _services.TryGetValue(key, out ServiceEntry? old);
                var servers = new List<ServerEntry>();
                bool alpha = HealthBlocks.Flag(health.Statement, "alpha");
                foreach (RealServerHealth rs in health.Servers)
                {
                    RealServerDefinition? d = def.Servers.FirstOrDefault(x => x.Address == rs.Address && x.Port == rs.Port);
                    if (d is not null && Entry(key, d, rs, health.DelayLoopSeconds, alpha, old, problems) is { } e)
                    {
                        servers.Add(e);
                    }
                }

                var entry = new ServiceEntry(key, servers)
                {
                    Sorry = sorry,
                    Quorum = Number(health.Statement, "quorum", 1, problems),
                    Hysteresis = Number(health.Statement, "hysteresis", 0, problems),
                    QuorumUpScript = HealthBlocks.Value(health.Statement, "quorum_up"),
                    QuorumDownScript = HealthBlocks.Value(health.Statement, "quorum_down"),
                    Omega = HealthBlocks.Flag(health.Statement, "omega"),
                    QuorumUp = old?.QuorumUp ?? true,
                };
                entry.QuorumUp = HealthPolicy.NextQuorumUp(entry.QuorumUp, entry.LiveWeight, entry.Quorum, entry.Hysteresis);
                services[key] = entry;
            }
        }

        errors = problems;
        return problems.Count == 0 ? new HealthPlan(services) : null;
    }

    /// <summary>Makes <paramref name="plan"/> current once its adjusted configuration is in the table.</summary>
    public void Commit(HealthPlan plan)
    {
        lock (_sync)
        {
            var kept = new HashSet<MonitoredServer>(plan.Services.Values.SelectMany(s => s.Servers).Select(e => e.Monitor).OfType<MonitoredServer>());
            foreach (MonitoredServer gone in _byMonitor.Keys.Where(m => !kept.Contains(m)))
            {
                _monitor.Remove(gone);
            }

            var byMonitor = new Dictionary<MonitoredServer, ServerEntry>();
            foreach (ServiceEntry s in plan.Services.Values)
            {
                foreach (ServerEntry e in s.Servers)
                {
                    e.Monitor ??= e.Checks.Count > 0 ? _monitor.Add($"{s.Key} -> {e.Name}", e.Checks, e.Up) : null;
                    if (e.Monitor is { } m)
                    {
                        byMonitor[m] = e;
                    }

                    int? want = HealthPolicy.DesiredWeight(e.Up, e.EffectiveWeight, e.Config.InhibitOnFailure, s.SorryActive);
                    e.InTable = want is not null;
                    e.AppliedWeight = want ?? 0;
                }

                int? sorry = s.Sorry is { } ss ? HealthPolicy.DesiredSorryWeight(s.SorryActive, ss.Inhibit) : null;
                s.SorryInTable = sorry is not null;
                s.SorryAppliedWeight = sorry ?? 0;
            }

            RunOmega(plan);
            _services = plan.Services;
            _byMonitor = byMonitor;
        }

        Log.Info("health checks configured", ("services", plan.Services.Count), ("checked-servers", plan.CheckedServers));
    }

    /// <summary>omega: a live server the new configuration drops gets its notify_down, as if it had failed.</summary>
    private void RunOmega(HealthPlan plan)
    {
        foreach (ServiceEntry old in _services.Values.Where(s => s.Omega))
        {
            plan.Services.TryGetValue(old.Key, out ServiceEntry? next);
            foreach (ServerEntry e in old.Servers.Where(e => e.Up))
            {
                bool stays = next?.Servers.Any(n => n.Address == e.Address && n.Port == e.Port) ?? false;
                if (!stays && HealthBlocks.Value(e.Config.Statement, "notify_down") is { } script)
                {
                    _scripts.Run(script, $"{old.Key} {e.Name} removed (omega)");
                }
            }
        }
    }

    private static ServerEntry? Entry(ServiceKey key, RealServerDefinition d, RealServerHealth rs, int delayLoop, bool alpha,
        ServiceEntry? old, List<string> problems)
    {
        string signature = $"{delayLoop};{alpha};{HealthBlocks.Signature(rs.Checkers)}";
        var entry = new ServerEntry(key, d, rs, signature);
        ServerEntry? previous = old?.Servers.FirstOrDefault(x => x.Address == d.Address && x.Port == d.Port && x.Signature == signature);
        if (previous is not null)
        {
            entry.Monitor = previous.Monitor;
            entry.Checks = previous.Checks;
            entry.Up = previous.Up;
            entry.DynamicWeight = previous.DynamicWeight;
            entry.Agent = previous.Agent;
            entry.Reason = previous.Reason;
            entry.Since = previous.Since;
            return entry;
        }

        var checks = new List<IHealthCheck>();
        var target = new CheckTarget(HealthBlocks.ToAddress(d.Address), d.Port);
        foreach (KeepalivedNode node in rs.Checkers)
        {
            if (CheckerFactory.TryCreate(HealthBlocks.ToBlock(node), target, TimeSpan.FromSeconds(delayLoop), out IHealthCheck? check, out string? error))
            {
                checks.Add(check!);
            }
            else
            {
                problems.Add(error ?? $"{node.Location}: {node.Name} refused");
            }
        }

        entry.Checks = checks;
        entry.Up = checks.Count == 0 || !alpha;
        entry.Reason = checks.Count == 0 ? "no checkers" : alpha ? "alpha: down until checked" : "not checked yet";
        return entry;
    }

    private static int Number(KeepalivedNode statement, string keyword, int fallback, List<string> problems)
    {
        KeepalivedNode? n = statement.ChildrenNamed(keyword).LastOrDefault();
        if (n is null)
        {
            return fallback;
        }

        if (n.Argument(0) is { } a && int.TryParse(a.Text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value <= HealthPolicy.MaxWeight * 1000)
        {
            return value;
        }

        problems.Add($"{n.Location}: {keyword} needs a number from 0 to {HealthPolicy.MaxWeight * 1000}");
        return fallback;
    }
}
