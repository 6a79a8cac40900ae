using Lvs.Core.Sync;

namespace Lvs.Daemon.Sync;

/// <summary>What the sync daemon needs of the worker that owns the connection table; every call is served on the worker's thread.</summary>
public interface ISyncTable
{
    /// <summary>Hands received entries to the worker to install; the array is the worker's afterwards.</summary>
    void Install(SyncEntry[] entries, int count);

    /// <summary>Completes once every batch handed over before this call has been installed.</summary>
    Task Installed();

    /// <summary>Every live connection and template as sync entries (templates first), or null when the worker does not answer in time.</summary>
    SyncEntry[]? Snapshot(TimeSpan timeout);
}
