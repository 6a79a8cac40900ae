namespace Lvs.Health;

/// <summary>Runs many checks concurrently with bounded resources; reports transitions. Off the data path.</summary>
public sealed class HealthMonitor : IDisposable
{
    /// <summary>Creates a monitor; nothing runs before <see cref="Start"/>.</summary>
    /// <param name="time">The clock and timers (a fake one in tests).</param>
    /// <param name="maxConcurrent">Attempts in flight at most.</param>
    public HealthMonitor(TimeProvider time, int maxConcurrent = 256)
    {
        throw new NotImplementedException("contract skeleton; being built");
    }

    /// <summary>Raised (off the caller's thread) when a server's Up, DynamicWeight or Agent changes.</summary>
    public event Action<MonitoredServer, ServerHealthChange>? Changed;

    /// <summary>Adds a server's checkers: it is up when all are up; startUp false (keepalived alpha) starts it down until each checker passed once.</summary>
    public MonitoredServer Add(string id, IReadOnlyList<IHealthCheck> checks, bool startUp) => throw new NotImplementedException();

    /// <summary>Stops checking a server; no event is raised for it afterwards.</summary>
    public void Remove(MonitoredServer server) => throw new NotImplementedException();

    /// <summary>Starts the schedules.</summary>
    public void Start() => Changed?.Invoke(null!, default);

    /// <summary>Stops every schedule and waits for nothing.</summary>
    public void Dispose() { }
}
