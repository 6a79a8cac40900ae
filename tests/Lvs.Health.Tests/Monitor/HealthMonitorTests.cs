using System.Collections.Concurrent;
using System.Diagnostics;
using Lvs.Health.Tests.TestSupport;

namespace Lvs.Health.Tests.Monitor;

public class HealthMonitorTests
{
    private static readonly CheckResult Pass = new(true, "ok");
    private static readonly CheckResult Fail = new(false, "refused");

    // delay_loop 5 s, retry 2, delay_before_retry 1 s, timeout 3 s, no warmup.
    private static readonly CheckTiming Timing = new(TimeSpan.FromSeconds(5), 2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), TimeSpan.Zero);

    private readonly ManualTimeProvider _time = new();
    private readonly ConcurrentQueue<(string Id, ServerHealthChange Change)> _changes = new();

    private HealthMonitor? _monitor;

    private HealthMonitor Monitor(int maxConcurrent = 16, double random = 0)
    {
        var monitor = _monitor = new HealthMonitor(_time, maxConcurrent, () => random);
        monitor.Changed += (server, change) => _changes.Enqueue((server.Id, change));
        return monitor;
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"timed out waiting for {what}");
            await Task.Delay(5);
        }
    }

    /// <summary>
    /// Waits until every loop sleeps on its timer, then moves the clock. An attempt in flight has
    /// a deadline timer of its own, so "no attempt in flight" makes the timer count unambiguous.
    /// </summary>
    private async Task Advance(int loops, double seconds)
    {
        await Until(() => _monitor!.InFlight == 0 && _time.ActiveTimers == loops && _monitor.InFlight == 0, $"{loops} loops to wait on the clock");
        _time.Advance(TimeSpan.FromSeconds(seconds));
    }

    [Fact]
    public async Task FailingCheck_DownOnlyAfterRetriesDelayBeforeRetryApart()
    {
        var check = new ScriptedCheck(Timing, Pass, Fail);
        using var monitor = Monitor();
        var server = monitor.Add("rs1", [check], startUp: true);
        monitor.Start();
        await Until(() => check.Attempts == 1, "first attempt");
        await Advance(1, 5);          // t=5: fails, retry 1 of 2
        await Until(() => check.Attempts == 2, "second attempt");
        await Advance(1, 0.999);      // not yet due
        await Advance(1, 0.001);      // t=6: fails, retry 2 of 2
        await Until(() => check.Attempts == 3, "third attempt");
        Assert.True(server.Up);
        Assert.Empty(_changes);
        await Advance(1, 1);          // t=7: fails, retries spent: down
        await Until(() => !_changes.IsEmpty, "the change");
        Assert.Equal(4, check.Attempts);
        var (id, change) = Assert.Single(_changes);
        Assert.Equal("rs1", id);
        Assert.Equal(new ServerHealthChange(false, null, "SCRIPTED: refused"), change);
        Assert.False(server.Up);
        Assert.Equal(_time.GetUtcNow(), server.LastChange);
        await Advance(1, 1);          // down: next attempt after delay_loop, not delay_before_retry
        Assert.Equal(4, check.Attempts);
        await Advance(1, 4);
        await Until(() => check.Attempts == 5, "attempt after delay_loop");
    }

    [Fact]
    public async Task FailureThenSuccess_RetryCountResets()
    {
        var check = new ScriptedCheck(Timing, Fail, Pass, Fail, Fail, Pass);
        using var monitor = Monitor();
        monitor.Add("rs1", [check], startUp: true);
        monitor.Start();
        await Until(() => check.Attempts == 1, "attempt 1");
        await Advance(1, 1);   // pass
        await Until(() => check.Attempts == 2, "attempt 2");
        await Advance(1, 5);   // fail: retry 1
        await Advance(1, 1);   // fail: retry 2
        await Advance(1, 1);   // pass
        await Until(() => check.Attempts == 5, "attempt 5");
        await Advance(1, 0);
        Assert.Empty(_changes);
    }

    [Fact]
    public async Task AlphaServer_StartsDownUpOnFirstSuccess()
    {
        var check = new ScriptedCheck(Timing, Fail, Pass);
        using var monitor = Monitor();
        var server = monitor.Add("rs1", [check], startUp: false);
        Assert.False(server.Up);
        monitor.Start();
        await Until(() => check.Attempts == 1, "first attempt");
        await Advance(1, 4.9);
        Assert.Equal(1, check.Attempts); // a down checker is not retried early
        await Advance(1, 0.1);
        await Until(() => !_changes.IsEmpty, "up");
        Assert.True(Assert.Single(_changes).Change.Up);
        Assert.True(server.Up);
    }

    [Fact]
    public async Task TwoCheckers_ServerUpOnlyWhenBothUp()
    {
        var a = new ScriptedCheck(Timing with { Retry = 0 }, Pass);
        var b = new ScriptedCheck(Timing with { Retry = 0 }, Fail, Pass);
        using var monitor = Monitor();
        var server = monitor.Add("rs1", [a, b], startUp: false);
        monitor.Start();
        await Until(() => a.Attempts == 1 && b.Attempts == 1, "first attempts");
        await Advance(2, 0);
        Assert.False(server.Up);
        Assert.Empty(_changes);
        await Advance(2, 5);
        await Until(() => !_changes.IsEmpty, "up");
        Assert.True(server.Up);
    }

    [Fact]
    public async Task MiscDynamicWeight_RaisedWithoutStateChange()
    {
        var check = new ScriptedCheck(Timing, new CheckResult(true, "exit 7", 5), new CheckResult(true, "exit 12", 10));
        using var monitor = Monitor();
        var server = monitor.Add("rs1", [check], startUp: true);
        monitor.Start();
        await Until(() => _changes.Count == 1, "weight 5");
        await Advance(1, 5);
        await Until(() => _changes.Count == 2, "weight 10");
        Assert.Equal([5, 10], _changes.Select(c => c.Change.DynamicWeight));
        Assert.All(_changes, c => Assert.True(c.Change.Up));
        Assert.Equal(10, server.DynamicWeight);
        await Advance(1, 5);
        await Until(() => check.Attempts == 3, "third attempt");
        await Advance(1, 0);
        Assert.Equal(2, _changes.Count); // the same weight again is no change
    }

    [Fact]
    public async Task AgentReports_PassedOnAndClearedWhenAgentDeclaredDown()
    {
        var drain = new AgentReport(null, AgentState.Drain, null);
        var check = new ScriptedCheck(Timing with { Retry = 0 }, new CheckResult(true, "agent: 50%") { Agent = new AgentReport(50, null, null) },
            new CheckResult(true, "agent: drain") { Agent = drain }, new CheckResult(false, "agent: closed without a reply"));
        using var monitor = Monitor();
        var server = monitor.Add("rs1", [check], startUp: true);
        monitor.Start();
        await Until(() => _changes.Count == 1, "50%");
        await Advance(1, 5);
        await Until(() => _changes.Count == 2, "drain");
        await Advance(1, 5);
        await Until(() => _changes.Count == 3, "down");
        Assert.Equal([50, null, null], _changes.Select(c => c.Change.Agent?.WeightPercent));
        Assert.Equal([true, true, false], _changes.Select(c => c.Change.Up));
        Assert.Equal(drain, _changes.ElementAt(1).Change.Agent);
        Assert.Null(server.Agent);
    }

    [Fact]
    public async Task CheckIgnoringItsToken_CutOffAtTimeoutPlusGrace()
    {
        var check = new ScriptedCheck(Timing with { Retry = 0 }, Pass) { Gate = new TaskCompletionSource() };
        using var monitor = Monitor();
        var server = monitor.Add("rs1", [check], startUp: true);
        monitor.Start();
        await Until(() => check.Attempts == 1, "attempt");
        // The attempt's own timers: the deadline and WaitAsync's.
        await Until(() => _time.ActiveTimers == 2, "attempt timers");
        _time.Advance(TimeSpan.FromSeconds(3.999));
        Assert.True(server.Up);
        _time.Advance(TimeSpan.FromSeconds(0.001));
        await Until(() => !_changes.IsEmpty, "down");
        Assert.Equal("SCRIPTED: no result within 4 s", Assert.Single(_changes).Change.Reason);
        check.Gate.SetResult();
    }

    [Fact]
    public async Task ManySlowChecks_NeverMoreThanMaxConcurrent()
    {
        var gate = new TaskCompletionSource();
        var checks = Enumerable.Range(0, 20).Select(_ => new ScriptedCheck(Timing, Pass) { Gate = gate }).ToArray();
        var lateness = new ConcurrentBag<TimeSpan>();
        using var monitor = Monitor(maxConcurrent: 3);
        monitor.AttemptCompleted += a => lateness.Add(a.Lateness);
        for (var i = 0; i < checks.Length; i++)
        {
            monitor.Add($"rs{i}", [checks[i]], startUp: true);
        }
        monitor.Start();
        await Until(() => checks.Sum(c => c.Running) == 3, "three attempts running");
        await Task.Delay(100);
        Assert.Equal(3, monitor.InFlight);
        Assert.Equal(3, checks.Sum(c => c.Running));
        gate.SetResult();
        await Until(() => checks.All(c => c.Attempts == 1), "all attempts");
        await Until(() => lateness.Count == 20, "all completions");
        Assert.Equal(1, checks.Max(c => c.MaxRunning));
        Assert.Equal(0, monitor.InFlight);
    }

    [Fact]
    public async Task Warmup_FirstAttemptAtRandomShareOfWarmup()
    {
        var check = new ScriptedCheck(Timing with { Warmup = TimeSpan.FromSeconds(10) }, Pass);
        using var monitor = Monitor(random: 0.25);
        monitor.Add("rs1", [check], startUp: true);
        monitor.Start();
        await Advance(1, 2.49);
        Assert.Equal(0, check.Attempts);
        await Advance(1, 0.01);
        await Until(() => check.Attempts == 1, "first attempt at 2.5 s");
    }

    [Fact]
    public async Task Remove_StopsChecksAndEvents()
    {
        var check = new ScriptedCheck(Timing with { Retry = 0 }, Pass, Fail);
        using var monitor = Monitor();
        var server = monitor.Add("rs1", [check], startUp: true);
        monitor.Start();
        await Until(() => check.Attempts == 1, "attempt");
        await Until(() => _time.ActiveTimers == 1, "loop asleep");
        monitor.Remove(server);
        _time.Advance(TimeSpan.FromSeconds(60));
        await Task.Delay(100);
        Assert.Equal(1, check.Attempts);
        Assert.Empty(_changes);
        Assert.Equal(0, _time.ActiveTimers);
    }

    [Fact]
    public async Task AddAfterStart_CheckedAtOnce()
    {
        using var monitor = Monitor();
        monitor.Start();
        var check = new ScriptedCheck(Timing, Pass);
        monitor.Add("late", [check], startUp: false);
        await Until(() => _changes.Count == 1, "up");
        Assert.Equal("late", _changes.Single().Id);
    }

    [Fact]
    public void Add_NoCheckers_AlwaysUp()
    {
        using var monitor = Monitor();
        Assert.True(monitor.Add("plain", [], startUp: false).Up);
    }

    [Fact]
    public async Task ThrowingSubscriber_ChecksGoOn()
    {
        var check = new ScriptedCheck(Timing with { Retry = 0 }, Fail, Pass);
        using var monitor = Monitor();
        monitor.Changed += (_, _) => throw new InvalidOperationException("subscriber bug");
        monitor.Add("rs1", [check], startUp: true);
        monitor.Start();
        await Until(() => _changes.Count == 1, "down");
        await Advance(1, 5);
        await Until(() => _changes.Count == 2, "up again");
    }
}
