using Lvs.Contracts;
using Lvs.Core.Sync;
using Lvs.Linux;

namespace Lvs.Daemon.Sync;

/// <summary>
/// lvsd's connection sync daemon (ip_vs_sync.c's master and backup threads): as master it sends
/// the worker's pending entries as version 1 messages and answers pull requests with the whole
/// table; as backup it receives messages and hands their entries to the worker to install, and
/// first pulls the master's table (<see cref="InitialSyncDone"/>).
/// </summary>
/// <remarks>
/// Master and backup may run together, as in ip_vs, but share one socket, so both must use the
/// same interface, group and port. Roles change through <see cref="SetRole"/> (VRRP) or
/// <see cref="Start"/>/<see cref="Stop"/> (lvsadm); changes are serialised by a lock, the send and
/// receive loops read the current configuration through volatile fields.
/// </remarks>
public sealed partial class SyncDaemon : IDisposable
{
    private readonly object _gate = new();
    private readonly SyncSource[] _sources;
    private readonly ISyncTable _table;
    private SyncDaemonConfig? _configured;
    private volatile SyncDaemonConfig? _master;
    private volatile SyncDaemonConfig? _backup;
    private TaskCompletionSource<bool> _initial = Completed(false);

    public SyncDaemon(SyncSource source, ISyncTable table)
        : this([source], table)
    {
    }

    /// <summary>
    /// A daemon over several workers: a master sends what every worker's ring holds; the sources
    /// share one <see cref="SyncCounters"/>, which <see cref="Counters"/> returns.
    /// </summary>
    public SyncDaemon(IReadOnlyList<SyncSource> sources, ISyncTable table)
    {
        ArgumentOutOfRangeException.ThrowIfZero(sources.Count);
        _sources = [.. sources];
        _table = table;
    }

    public SyncCounters Counters => _sources[0].Counters;

    /// <summary>How long a partly filled message may wait for more entries (ip_vs waits up to 2 s; shorter narrows what a failover can lose).</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Whether a backup first pulls the master's whole table (lvsd's extension; on by default).</summary>
    public bool PullOnBackup { get; init; } = true;

    /// <summary>
    /// Completes with true once a backup has pulled and installed the master's table, with false
    /// when no master answered (or no pull was started). The VRRP integration waits on it before
    /// preempting, so a director that comes back does not take over with an empty table.
    /// </summary>
    public Task<bool> InitialSyncDone => _initial.Task;

    /// <summary>The current role as VRRP sees it.</summary>
    public SyncRole Role => _master is not null ? SyncRole.Master : _backup is not null ? SyncRole.Backup : SyncRole.None;

    /// <summary>The settings <see cref="SetRole"/> starts daemons with (keepalived's lvs_sync_daemon).</summary>
    public void Configure(SyncDaemonConfig config)
    {
        lock (_gate)
        {
            _configured = config;
        }
    }

    /// <summary>
    /// Switches to <paramref name="role"/> with the <see cref="Configure"/>d settings, as keepalived
    /// does on VRRP transitions: master stops the backup daemon and starts the master daemon,
    /// backup the other way round, none stops both. Returns an error message, or null.
    /// </summary>
    public string? SetRole(SyncRole role)
    {
        lock (_gate)
        {
            if (role != SyncRole.None && _configured is null)
            {
                return "no sync daemon configured";
            }

            switch (role)
            {
                case SyncRole.Master:
                    StopLocked("backup");
                    return _master is null ? StartLocked("master", _configured!) : null;
                case SyncRole.Backup:
                    StopLocked("master");
                    return _backup is null ? StartLocked("backup", _configured!) : null;
                default:
                    StopLocked("master");
                    StopLocked("backup");
                    return null;
            }
        }
    }

    /// <summary>ipvsadm --start-daemon: starts one state; returns an error message, or null.</summary>
    public string? Start(string state, SyncDaemonConfig config)
    {
        lock (_gate)
        {
            if ((state == "master" ? _master : _backup) is not null)
            {
                return $"{state} sync daemon is already running"; // ip_vs: EEXIST
            }

            return StartLocked(state, config);
        }
    }

    /// <summary>ipvsadm --stop-daemon; returns an error message, or null.</summary>
    public string? Stop(string state)
    {
        lock (_gate)
        {
            if ((state == "master" ? _master : _backup) is null)
            {
                return $"{state} sync daemon is not running"; // ip_vs: ESRCH
            }

            StopLocked(state);
            return null;
        }
    }

    /// <summary>The running daemons as ipvsadm -L --daemon lists them, master first.</summary>
    public IReadOnlyList<SyncDaemonStatus> Status()
    {
        var list = new List<SyncDaemonStatus>(2);
        int mtu = _endpoint?.Mtu ?? 1500;
        if (_master is { } m)
        {
            list.Add(m.Status("master", mtu));
        }

        if (_backup is { } b)
        {
            list.Add(b.Status("backup", mtu));
        }

        return list;
    }

    public SyncStats Stats()
    {
        SyncCounters c = Counters;
        return new SyncStats((ulong)c.MessagesSent, (ulong)c.EntriesSent, (ulong)c.MessagesReceived, (ulong)c.EntriesReceived,
            (ulong)c.EntriesInstalled, [.. c.Drops().Select(d => new DropCount(d.Reason, (ulong)d.Count))])
        {
            InitialSyncDone = _pullStarted ? _initial.Task.IsCompletedSuccessfully && _initial.Task.Result : null,
        };
    }

    public void Dispose()
    {
        lock (_gate)
        {
            StopLocked("master");
            StopLocked("backup");
        }
    }

    private string? StartLocked(string state, SyncDaemonConfig config)
    {
        if (_endpoint is { } ep && (ep.Config.Interface != config.Interface || !ep.Config.Group.Equals(config.Group) || ep.Config.Port != config.Port))
        {
            return $"the {(state == "master" ? "backup" : "master")} sync daemon uses {ep.Config.Interface} {ep.Config.Group}:{ep.Config.Port}; "
                   + "lvsd runs both on one interface, group and port";
        }

        if (_endpoint is null)
        {
            string? error = OpenEndpoint(config);
            if (error is not null)
            {
                return error;
            }
        }

        if (state == "master")
        {
            _master = config;
            SetEnabled(true);
            StartSender();
        }
        else
        {
            _backup = config;
            if (PullOnBackup)
            {
                StartPull(config);
            }
        }

        Log.Info("sync daemon started", ("state", state), ("interface", config.Interface), ("syncid", config.SyncId),
            ("group", config.Group), ("port", config.Port));
        return null;
    }

    private void SetEnabled(bool enabled)
    {
        foreach (SyncSource source in _sources)
        {
            source.Enabled = enabled;
        }
    }

    private void StopLocked(string state)
    {
        if (state == "master" && _master is not null)
        {
            SetEnabled(false);
            _master = null;
            StopSender();
            Log.Info("sync daemon stopped", ("state", state));
        }
        else if (state == "backup" && _backup is not null)
        {
            _backup = null;
            Log.Info("sync daemon stopped", ("state", state));
        }

        if (_master is null && _backup is null)
        {
            CloseEndpoint();
        }
    }

    private static TaskCompletionSource<bool> Completed(bool value)
    {
        var tcs = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        tcs.SetResult(value);
        return tcs;
    }
}
