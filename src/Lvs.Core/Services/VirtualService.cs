using Lvs.Core.Scheduling;

namespace Lvs.Core.Services;

/// <summary>
/// A virtual service: VIP:port, its scheduler and its real servers.
/// </summary>
/// <remarks>
/// Invariants (kept by <see cref="ServiceTable"/>, the only writer):
/// <list type="bullet">
/// <item><see cref="Destinations"/> is an immutable array replaced as a whole; workers read it
/// without a lock and may use the previous array for the packet in flight.</item>
/// <item>The scheduler's own state is guarded by <see cref="SchedulerLock"/>, taken by workers
/// only when a new connection is scheduled (never for established traffic), and by the control
/// plane when it changes destinations, so a scheduler sees a consistent list (ip_vs's sched_lock).</item>
/// </list>
/// </remarks>
public sealed class VirtualService
{
    private volatile RealServer[] _destinations = [];
    private volatile IScheduler _scheduler;
    private volatile ServiceSettings _settings;

    public VirtualService(ServiceKey key, IScheduler scheduler, int workers, ServiceSettings? settings = null)
    {
        Key = key;
        _scheduler = scheduler;
        _settings = settings ?? new ServiceSettings(scheduler.Name);
        Counters = new CounterSet(workers);
    }

    /// <summary>The service's settings; replaced as a whole by -E.</summary>
    public ServiceSettings Settings
    {
        get => _settings;
        internal set => _settings = value;
    }

    public ServiceKey Key { get; }

    public IScheduler Scheduler => _scheduler;

    public RealServer[] Destinations => _destinations;

    public object SchedulerLock { get; } = new();

    public CounterSet Counters { get; }

    /// <summary>Picks a real server for a new connection, or null when none is available.</summary>
    public RealServer? Schedule(in ScheduleContext context)
    {
        lock (SchedulerLock)
        {
            return _scheduler.Schedule(_destinations, context);
        }
    }

    internal void SetDestinations(RealServer[] destinations)
    {
        lock (SchedulerLock)
        {
            _destinations = destinations;
            _scheduler.OnDestinationsChanged(destinations);
        }
    }

    internal void SetScheduler(IScheduler scheduler)
    {
        lock (SchedulerLock)
        {
            scheduler.OnDestinationsChanged(_destinations);
            _scheduler = scheduler;
        }
    }

    internal void NotifyWeightsChanged()
    {
        lock (SchedulerLock)
        {
            _scheduler.OnDestinationsChanged(_destinations);
        }
    }
}
