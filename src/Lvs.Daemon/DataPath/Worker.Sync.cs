using System.Buffers;
using System.Collections.Concurrent;
using Lvs.Core.Connections;
using Lvs.Core.Sync;
using Lvs.Daemon.Sync;

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
        }
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
