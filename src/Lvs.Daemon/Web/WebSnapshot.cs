using Lvs.Contracts;

namespace Lvs.Daemon.Web;

/// <summary>
/// Everything /metrics and the dashboard show, taken at one moment. Optional parts are null when
/// lvsd runs without the feature (no health checker, no VRRP, no sync): their series are absent.
/// </summary>
/// <param name="Status">Services, real servers and their counters (lvsadm -L --stats).</param>
/// <param name="Drops">Dropped frames by reason (lvsadm -L --drops).</param>
/// <param name="WorkerPackets">Frames processed, per worker (index = worker number).</param>
public sealed record WebSnapshot(StatusSnapshot Status, IReadOnlyList<DropCount> Drops, IReadOnlyList<long> WorkerPackets)
{
    /// <summary>Milliseconds since the Unix epoch when it was taken.</summary>
    public long TimeMs { get; init; }

    public IReadOnlyList<ServerHealth>? Health { get; init; }

    public IReadOnlyList<VrrpInstanceStatus>? Vrrp { get; init; }

    public SyncCounters? Sync { get; init; }
}

/// <summary>
/// Takes <see cref="WebSnapshot"/>s through the control handler's read-only commands (list and
/// drops: never one that changes state) and the optional sources. Snapshots are cached for a
/// short time so many scrapers and dashboards cost one read of the tables, not one each.
/// </summary>
public sealed class WebSnapshotProvider(
    Func<ControlRequest, ControlResponse> read,
    Func<IReadOnlyList<long>> workerPackets,
    TimeProvider time,
    IHealthSource? health = null,
    IVrrpSource? vrrp = null,
    ISyncSource? sync = null)
{
    /// <summary>How long one snapshot is reused.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMilliseconds(250);

    private readonly object _gate = new();
    private WebSnapshot? _cached;
    private long _takenAt;

    public bool HasHealth => health is not null;

    public bool HasVrrp => vrrp is not null;

    public bool HasSync => sync is not null;

    /// <summary>A snapshot at most <see cref="MaxAge"/> old.</summary>
    public WebSnapshot Current()
    {
        lock (_gate)
        {
            long now = time.GetTimestamp();
            if (_cached is null || time.GetElapsedTime(_takenAt, now) > MaxAge)
            {
                _cached = Take();
                _takenAt = now;
            }

            return _cached;
        }
    }

    private WebSnapshot Take()
    {
        ControlResponse list = read(new ControlRequest { Command = Commands.List });
        if (!list.Ok || list.Status is null)
        {
            throw new InvalidOperationException($"lvsd could not list its services: {list.Message}");
        }

        ControlResponse drops = read(new ControlRequest { Command = Commands.Drops });
        return new WebSnapshot(list.Status, drops.Drops ?? [], workerPackets())
        {
            TimeMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
            Health = health?.Health(),
            Vrrp = vrrp?.Instances(),
            Sync = sync?.Counters(),
        };
    }
}
