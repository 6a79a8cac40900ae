using Lvs.Contracts;
using Lvs.Core.Sync;
using Lvs.Daemon.DataPath;
using Lvs.Daemon.Sync;
using Lvs.Linux;
using Lvs.Linux.Interop;
using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO;
using Lvs.Linux.PacketIO.Fanout;
using Lvs.Linux.Steering;

namespace Lvs.Daemon;

/// <summary>
/// --workers N: every worker gets its own AF_PACKET ring and sender per interface; the rings of an
/// interface form one PACKET_FANOUT_CBPF group whose program (<see cref="FanoutProgram"/>) sends
/// both directions of a connection to the worker its client hashes to. Each worker owns its
/// Director and connection table; the service table and the neighbour cache are shared (counters
/// per worker slot, lock-free reads).
/// </summary>
public sealed partial class DaemonHost
{
    private Worker[] _workers = [];
    private volatile FanoutKey _fanoutKey = FanoutKey.Connection;

    /// <summary>
    /// Opens the ports of workers 1..n-1 on the links worker 0 serves, and joins every interface's
    /// rings (worker 0's first) into a fanout group; returns each worker's ports and each group's
    /// first ring, through which the program is set.
    /// </summary>
    private List<Port>[] OpenWorkerPorts(IReadOnlyList<LinkInfo> links, List<Port> first, int workers, RingKind ring, out PacketRing[] groups)
    {
        var all = new List<Port>[workers];
        all[0] = first;
        groups = new PacketRing[links.Count];
        var groupIds = new ushort[links.Count];
        for (int k = 0; k < links.Count; k++)
        {
            PacketRing firstRing = ((AfPacketPort)first[k].Io).Ring;
            groups[k] = firstRing;
            groupIds[k] = Fanout(() => PacketFanout.Create(firstRing), links[k].Name);
        }

        for (int w = 1; w < workers; w++)
        {
            all[w] = [];
            for (int k = 0; k < links.Count; k++)
            {
                LinkInfo link = links[k];
                AfPacketPort io = Fanout(() => AfPacketPort.Open(link.Name, ring), link.Name);
                var port = new Port(link.Name, link.Index, link.Mac, io);
                _owned.Add(port);
                all[w].Add(port);
                ushort id = groupIds[k];
                Fanout(() => { PacketFanout.Join(io.Ring, id); return 0; }, link.Name);
            }
        }

        return all;
    }

    private static T Fanout<T>(Func<T> step, string ifName)
    {
        try
        {
            return step();
        }
        catch (LinuxException e)
        {
            throw new StartupException($"cannot set up the worker fanout on {ifName}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Steers NAT replies with the current real servers, hashing clients by the spec's fanout key:
    /// called with every new steering spec. When the key changes (a first persistent service came,
    /// or the last one went), connections whose client now hashes elsewhere are handed to their new
    /// worker, and every worker gets the templates.
    /// </summary>
    private void ApplyFanout(IReadOnlyList<PacketRing> groups, SteeringSpec spec)
    {
        FanoutProgram program = FanoutProgram.Build(spec.NatRealServers, spec.FanoutKey);
        if (!program.RepliesSteered)
        {
            Log.Error("too many NAT real servers for the fanout program: replies are spread by source and may reach the wrong worker",
                ("servers", spec.NatRealServers.Count));
        }

        foreach (PacketRing ring in groups)
        {
            PacketFanout.SetProgram(ring, program.Instructions);
        }

        FanoutKey previous = _fanoutKey;
        _fanoutKey = spec.FanoutKey;
        if (previous != spec.FanoutKey && _workers.Length > 1)
        {
            Rehome(spec.FanoutKey);
        }
    }

    private void Rehome(FanoutKey key)
    {
        var moved = new List<SyncEntry>();
        foreach (Worker w in _workers)
        {
            SyncEntry[]? entries = w.Rehome(key, _workers.Length, TimeSpan.FromSeconds(5));
            if (entries is null)
            {
                Log.Error("a worker did not hand over its connections for the new fanout key; they may stall", ("worker", Array.IndexOf(_workers, w)));
                continue;
            }

            moved.AddRange(entries);
        }

        int connections = moved.Count(e => !e.IsTemplate);
        Log.Info("fanout key changed", ("ports", key.Ports), ("mask4", Lvs.Core.Services.Ipv4.Format(key.Mask4)),
            ("prefix6", key.Prefix6), ("connections_moved", connections));
        if (moved.Count == 0)
        {
            return;
        }

        SyncEntry[] batch = System.Buffers.ArrayPool<SyncEntry>.Shared.Rent(moved.Count);
        moved.CopyTo(batch);
        new WorkerSyncTable(_workers, () => key).Install(batch, moved.Count);
    }

    /// <summary>Every worker's connections; fails when one does not answer in time.</summary>
    private static IReadOnlyList<ConnectionEntry> ListAllConnections(Worker[] workers, TimeSpan timeout)
    {
        var tasks = workers.Select(w => Task.Run(() => w.ListConnections(timeout))).ToArray();
        var all = new List<ConnectionEntry>();
        foreach (Task<IReadOnlyList<ConnectionEntry>?> t in tasks)
        {
            all.AddRange(t.Result ?? throw new TimeoutException($"a worker did not answer within {timeout.TotalSeconds:0} s"));
        }

        return all;
    }
}
