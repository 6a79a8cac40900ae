namespace Lvs.Health;

/// <summary>
/// Runs many checks concurrently with bounded resources and reports transitions; off the data
/// path. Semantics as keepalived's checker loop, per checker:
/// <list type="bullet">
/// <item>The first attempt comes after a random time in [0, warmup]; then one attempt every
/// delay_loop, counted from the end of the previous one.</item>
/// <item>A failed attempt of an up checker is retried <c>retry</c> times, delay_before_retry
/// apart; only when all of them failed is the checker declared down. A down checker is declared
/// up on its first success.</item>
/// <item>A server is up when all its checkers are up. startUp false (keepalived's alpha) starts
/// every checker down, so the server joins after each one passed once.</item>
/// </list>
/// At most maxConcurrent attempts run at once (a semaphore); each attempt is cut off at its
/// connect_timeout plus <see cref="TimeoutGrace"/> by this monitor's clock even if the checker
/// ignores its token, and then counts as failed.
/// </summary>
public sealed partial class HealthMonitor : IDisposable
{
    /// <summary>Added to a checker's own timeout before the monitor gives up on the attempt.</summary>
    public static readonly TimeSpan TimeoutGrace = TimeSpan.FromSeconds(1);

    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<MonitoredServer> _servers = [];
    private readonly Func<double> _random;
    private readonly int _capacity;
    private bool _started;

    /// <summary>Creates a monitor; nothing runs before <see cref="Start"/>.</summary>
    /// <param name="time">The clock and timers (a fake one in tests).</param>
    /// <param name="maxConcurrent">Attempts in flight at most.</param>
    public HealthMonitor(TimeProvider time, int maxConcurrent = 256)
        : this(time, maxConcurrent, Random.Shared.NextDouble)
    {
    }

    /// <summary>As the public constructor, with scripted randomness for the warmup spread (values in [0, 1)).</summary>
    internal HealthMonitor(TimeProvider time, int maxConcurrent, Func<double> random)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        _time = time;
        _slots = new SemaphoreSlim(maxConcurrent, maxConcurrent);
        _capacity = maxConcurrent;
        _random = random;
    }

    /// <summary>
    /// Raised (on a thread-pool thread, never the caller's) when a server's Up, DynamicWeight or
    /// Agent changes. Raised under the server's lock, so the changes of one server arrive in
    /// order; handlers must be quick and must not throw (exceptions are swallowed so that
    /// checking goes on).
    /// </summary>
    public event Action<MonitoredServer, ServerHealthChange>? Changed;

    /// <summary>Raised after every attempt (thread-pool thread), for logs and measurements.</summary>
    public event Action<CheckAttempt>? AttemptCompleted;

    /// <summary>Attempts running now.</summary>
    public int InFlight => _capacity - _slots.CurrentCount;

    /// <summary>Adds a server's checkers; checking starts at once when the monitor was started.</summary>
    /// <param name="id">The caller's name for it.</param>
    /// <param name="checks">Its checkers; all must be up for it to be up. Empty: always up (as keepalived's servers without checkers).</param>
    /// <param name="startUp">false (alpha): every checker starts down.</param>
    public MonitoredServer Add(string id, IReadOnlyList<IHealthCheck> checks, bool startUp)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(checks);
        ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
        var server = new MonitoredServer(id, checks, startUp || checks.Count == 0, _time.GetUtcNow());
        lock (_lock)
        {
            _servers.Add(server);
            if (_started)
            {
                Launch(server);
            }
        }
        return server;
    }

    /// <summary>Stops checking a server; no event is raised for it afterwards. Attempts in flight are cancelled.</summary>
    public void Remove(MonitoredServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        lock (_lock)
        {
            if (!_servers.Remove(server))
            {
                return;
            }
        }
        lock (server.Gate)
        {
            server.Removed = true;
        }
        server.Stop.Cancel();
        // Unhooks the server's linked token from the monitor's, so removed servers leave nothing behind.
        server.Linked?.Dispose();
    }

    /// <summary>Starts the schedules of every server added so far, and of those added later.</summary>
    public void Start()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_stop.IsCancellationRequested, this);
            if (_started)
            {
                return;
            }
            _started = true;
            foreach (var server in _servers)
            {
                Launch(server);
            }
        }
    }

    /// <summary>Cancels every schedule and attempt in flight; raises no more events.</summary>
    public void Dispose()
    {
        MonitoredServer[] servers;
        lock (_lock)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }
            _stop.Cancel();
            servers = [.. _servers];
            _servers.Clear();
        }
        foreach (var server in servers)
        {
            lock (server.Gate)
            {
                server.Removed = true;
            }
            server.Stop.Cancel();
        }
    }

    private void Launch(MonitoredServer server)
    {
        if (server.Running)
        {
            return;
        }
        server.Running = true;
        server.Linked = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, server.Stop.Token);
        var token = server.Linked.Token;
        foreach (var checker in server.Checkers)
        {
            _ = Task.Run(() => LoopAsync(server, checker, token), CancellationToken.None);
        }
    }
}
