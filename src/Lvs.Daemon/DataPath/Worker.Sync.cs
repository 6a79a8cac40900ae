using System.Buffers;
using System.Collections.Concurrent;
using Lvs.Core.Connections;
using Lvs.Core.Sync;
using Lvs.Daemon.Sync;
using Lvs.Linux.PacketIO.Fanout;

namespace Lvs.Daemon.DataPath;

/// <summary>
/// Connection sync on the worker thread: received entries are installed here, and a master's
/// pull answer lists the table here, because only this thread may touch the table.
/// </summary>
public sealed partial class Worker : ISyncTable
{
    private readonly ConcurrentQueue<SyncWork> _syncWork = new();

    /// <summary>The counters sync installs report to; set before the daemon starts.</summary>
    public SyncCounters? SyncCounters { get; set; }

    private sealed class SyncWork
    {
        public SyncEntry[]? Entries;
        public int Count;
        public TaskCompletionSource? Installed;
        public TaskCompletionSource<SyncEntry[]>? Snapshot;
        public TaskCompletionSource<SyncEntry[]>? Rehome;
        public FanoutKey Key = FanoutKey.Connection;
        public int Workers;
    }

    public void Install(SyncEntry[] entries, int count)
    {
        _syncWork.Enqueue(new SyncWork { Entries = entries, Count = count });
        _wakeup.Signal();
    }

    public Task Installed()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _syncWork.Enqueue(new SyncWork { Installed = tcs });
        _wakeup.Signal();
        return tcs.Task;
    }

    public SyncEntry[]? Snapshot(TimeSpan timeout)
    {
        var tcs = new TaskCompletionSource<SyncEntry[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _syncWork.Enqueue(new SyncWork { Snapshot = tcs });
        _wakeup.Signal();
        return tcs.Task.Wait(timeout) ? tcs.Task.Result : null;
    }

    /// <summary>
    /// After the fanout key changed: removes the connections whose client now hashes to another
    /// worker and returns them, with a copy of every template, for installing where they belong;
    /// null when the worker does not answer in time.
    /// </summary>
    public SyncEntry[]? Rehome(FanoutKey key, int workers, TimeSpan timeout)
    {
        var tcs = new TaskCompletionSource<SyncEntry[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        _syncWork.Enqueue(new SyncWork { Rehome = tcs, Key = key, Workers = workers });
        _wakeup.Signal();
        return tcs.Task.Wait(timeout) ? tcs.Task.Result : null;
    }

    private void ServiceSync(long now)
    {
        // Bounded per loop turn so a burst of sync traffic cannot stall forwarding for long.
        for (int n = 0; n < 64 && _syncWork.TryDequeue(out SyncWork? work); n++)
        {
            if (work.Entries is { } entries)
            {
                SyncMapping.InstallBatch(entries.AsSpan(0, work.Count), _director.Connections, _director.Services, now,
                    SyncCounters ?? _director.Sync?.Counters ?? new SyncCounters(), _director.Sync?.Settings.Threshold ?? 3);
                ArrayPool<SyncEntry>.Shared.Return(entries);
            }
            else if (work.Installed is { } installed)
            {
                installed.TrySetResult();
            }
            else if (work.Snapshot is { } snapshot)
            {
                snapshot.TrySetResult(SyncSnapshot(_director.Connections));
            }
            else if (work.Rehome is { } rehome)
            {
                rehome.TrySetResult(TakeMoved(_director.Connections, work.Key, work.Workers, _index));
            }
        }
    }

    /// <summary>Templates (copied) first, then the connections that belong to another worker under <paramref name="key"/> (removed).</summary>
    internal static SyncEntry[] TakeMoved(ConnectionTable table, FanoutKey key, int workers, int self)
    {
        var templates = new List<SyncEntry>();
        var moved = new List<SyncEntry>();
        for (int i = 0; i < table.HighWater; i++)
        {
            if (!table.IsLive(i))
            {
                continue;
            }

            ref Connection c = ref table[i];
            if (c.IsTemplate)
            {
                SyncMapping.ToEntry(ref c, out SyncEntry t);
                templates.Add(t);
            }
            else if (WorkerSyncTable.WorkerOf(c.ClientAddress, c.ClientPort, key, workers) != self)
            {
                SyncMapping.ToEntry(ref c, out SyncEntry e);
                moved.Add(e);
                table.Remove(i);
            }
        }

        return [.. templates, .. moved];
    }

    private static SyncEntry[] SyncSnapshot(ConnectionTable table)
    {
        var templates = new List<SyncEntry>();
        var connections = new List<SyncEntry>(table.Count);
        for (int i = 0; i < table.HighWater; i++)
        {
            if (!table.IsLive(i))
            {
                continue;
            }

            ref Connection c = ref table[i];
            SyncMapping.ToEntry(ref c, out SyncEntry e);
            (c.IsTemplate ? templates : connections).Add(e);
        }

        return [.. templates, .. connections];
    }
}
