using System.Buffers;
using Lvs.Core.Services;
using Lvs.Core.Sync;
using Lvs.Linux.PacketIO.Fanout;

namespace Lvs.Daemon.Sync;

/// <summary>
/// The sync daemon's table when lvsd runs several workers: a received connection is installed on
/// the worker the fanout group hands its client's frames to (<see cref="FanoutHash.WorkerOf"/>),
/// so after a failover its packets find it. A template (persistence) goes to every worker, since
/// each worker keeps its own templates and the client's connections may reach any of them.
/// </summary>
public sealed class WorkerSyncTable : ISyncTable
{
    private readonly ISyncTable[] _workers;
    private readonly Func<FanoutKey> _key;

    /// <param name="key">The fanout key in force (it changes when persistent services come or go).</param>
    public WorkerSyncTable(IReadOnlyList<ISyncTable> workers, Func<FanoutKey>? key = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(workers.Count);
        _workers = [.. workers];
        _key = key ?? (() => FanoutKey.Connection);
    }

    /// <summary>The worker a (non-template) entry belongs to under <paramref name="key"/>.</summary>
    public static int WorkerOf(in SyncEntry entry, FanoutKey key, int workers) =>
        WorkerOf(InetAddress.FromV6(entry.ClientAddress), entry.ClientPort, key, workers);

    /// <summary>The worker the fanout group hands this client's frames to under <paramref name="key"/>.</summary>
    public static int WorkerOf(InetAddress client, ushort port, FanoutKey key, int workers)
    {
        Span<byte> bytes = stackalloc byte[16];
        int length = client.WriteBytes(bytes);
        return FanoutHash.WorkerOf(bytes[..length], port, key, workers);
    }

    public void Install(SyncEntry[] entries, int count)
    {
        int n = _workers.Length;
        var parts = new SyncEntry[n][];
        var counts = new int[n];
        for (int w = 0; w < n; w++)
        {
            parts[w] = ArrayPool<SyncEntry>.Shared.Rent(Math.Max(count, 1));
        }

        FanoutKey key = _key();

        // Order within a worker is kept, so templates still precede the connections they control.
        for (int i = 0; i < count; i++)
        {
            ref SyncEntry e = ref entries[i];
            if (e.IsTemplate)
            {
                for (int w = 0; w < n; w++)
                {
                    parts[w][counts[w]++] = e;
                }
            }
            else
            {
                int w = WorkerOf(e, key, n);
                parts[w][counts[w]++] = e;
            }
        }

        ArrayPool<SyncEntry>.Shared.Return(entries);
        for (int w = 0; w < n; w++)
        {
            // The worker returns the array to the pool once installed, empty or not.
            _workers[w].Install(parts[w], counts[w]);
        }
    }

    public Task Installed() => Task.WhenAll(_workers.Select(w => w.Installed()));

    public SyncEntry[]? Snapshot(TimeSpan timeout)
    {
        var tasks = _workers.Select(w => Task.Run(() => w.Snapshot(timeout))).ToArray();
        var templates = new List<SyncEntry>();
        var seen = new HashSet<(byte, Lvs.Core.Packets.Ipv6Address, ushort, Lvs.Core.Packets.Ipv6Address, ushort, uint)>();
        var connections = new List<SyncEntry>();
        foreach (Task<SyncEntry[]?> t in tasks)
        {
            if (t.Result is not { } entries)
            {
                return null;
            }

            foreach (SyncEntry e in entries)
            {
                // Every worker holds its own copy of a template: send each one once.
                if (!e.IsTemplate)
                {
                    connections.Add(e);
                }
                else if (seen.Add((e.Protocol, e.ClientAddress, e.ClientPort, e.VirtualAddress, e.VirtualPort, e.Fwmark)))
                {
                    templates.Add(e);
                }
            }
        }

        return [.. templates, .. connections];
    }
}
