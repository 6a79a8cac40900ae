using Lvs.Core.Services;
using Lvs.Linux;

namespace Lvs.Daemon.Health;

/// <summary>Bringing the live table in line with the health state, without overriding the operator.</summary>
public sealed partial class HealthSupervisor
{
    /// <summary>Caller holds the gate and <c>_sync</c>.</summary>
    private void Reconcile(ServiceEntry service)
    {
        VirtualService? live = _table.Lookup(service.Key);
        if (live is null)
        {
            return; // deleted by the operator: nothing to act on until a reload brings it back
        }

        foreach (ServerEntry e in service.Servers)
        {
            NoticeOperator(service, e, Find(live, e.Address, e.Port));
        }

        UpdateQuorum(service);
        bool changed = false;
        foreach (ServerEntry e in service.Servers)
        {
            if (e.OperatorOwned)
            {
                continue;
            }

            int? want = HealthPolicy.DesiredWeight(e.Up, e.EffectiveWeight, e.Config.InhibitOnFailure, service.SorryActive);
            changed |= Place(service.Key, e.LastLive ?? e.Definition, e.InTable, e.AppliedWeight, want, e.Name);
            e.InTable = want is not null;
            e.AppliedWeight = want ?? 0;
        }

        if (service.Sorry is { } sorry)
        {
            int? want = HealthPolicy.DesiredSorryWeight(service.SorryActive, sorry.Inhibit);
            changed |= Place(service.Key, service.SorryDefinition(want ?? 0)!, service.SorryInTable, service.SorryAppliedWeight, want, "sorry server");
            service.SorryInTable = want is not null;
            service.SorryAppliedWeight = want ?? 0;
        }

        if (changed)
        {
            AfterChange();
        }
    }

    /// <summary>Reads what lvsadm did to a server since we last touched it.</summary>
    private static void NoticeOperator(ServiceEntry service, ServerEntry e, RealServer? live)
    {
        if (e.OperatorOwned)
        {
            return;
        }

        if (e.InTable != (live is not null))
        {
            e.OperatorOwned = true;
            Log.Warn("real server changed by hand; health checks leave it alone until the next reload", ("service", service.Key),
                ("server", e.Name), ("action", live is null ? "deleted" : "added"));
            return;
        }

        if (live is null)
        {
            return;
        }

        if (live.Weight != e.AppliedWeight)
        {
            Log.Info("real server weight set by hand becomes its base weight", ("service", service.Key), ("server", e.Name),
                ("weight", live.Weight));
            e.BaseWeight = live.Weight;
            e.AppliedWeight = live.Weight;
        }

        e.LastLive = new RealServerDefinition(live.Address, live.Port, live.Method, e.BaseWeight, live.Tunnel, live.UpperThreshold, live.LowerThreshold);
    }

    private void UpdateQuorum(ServiceEntry service)
    {
        bool next = HealthPolicy.NextQuorumUp(service.QuorumUp, service.LiveWeight, service.Quorum, service.Hysteresis);
        if (next == service.QuorumUp)
        {
            return;
        }

        service.QuorumUp = next;
        Log.Info(next ? "quorum gained" : "quorum lost", ("service", service.Key), ("live-weight", service.LiveWeight),
            ("quorum", service.Quorum), ("hysteresis", service.Hysteresis),
            ("sorry-server", service.Sorry is { } s ? s.Address.WithPort(s.Port) : "none"));
        if ((next ? service.QuorumUpScript : service.QuorumDownScript) is { } script)
        {
            _scripts.Run(script, $"{service.Key} quorum {(next ? "up" : "down")}");
        }
    }

    /// <summary>Adds, re-weights or removes one server; true when the table changed.</summary>
    private bool Place(ServiceKey key, RealServerDefinition d, bool inTable, int applied, int? want, string name)
    {
        TableResult result;
        string action;
        if (want is { } w && !inTable)
        {
            result = _table.AddServer(key, d.Address, d.Port, d.Method, w, d.Tunnel, d.UpperThreshold, d.LowerThreshold);
            action = "added";
        }
        else if (want is { } w2 && applied != w2)
        {
            RealServer? live = Find(_table.Lookup(key), d.Address, d.Port);
            result = live is null
                ? TableResult.NoSuchDestination
                : _table.EditServer(key, d.Address, d.Port, live.Method, w2, live.Tunnel, live.UpperThreshold, live.LowerThreshold);
            action = "weight set";
        }
        else if (want is null && inTable)
        {
            result = _table.DeleteServer(key, d.Address, d.Port);
            action = "removed";
        }
        else
        {
            return false;
        }

        Log.Info("health action", ("service", key), ("server", name), ("action", action), ("weight", want), ("result", result));
        return result == TableResult.Ok;
    }

    private static RealServer? Find(VirtualService? svc, InetAddress address, ushort port) =>
        svc is null ? null : Array.Find(svc.Destinations, d => d.Address == address && d.Port == port);
}
