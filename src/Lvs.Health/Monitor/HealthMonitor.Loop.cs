namespace Lvs.Health;

/// <summary>The per-checker loop: attempt, keepalived's retry rule, transitions.</summary>
public sealed partial class HealthMonitor
{
    private async Task LoopAsync(MonitoredServer server, CheckerState checker, CancellationToken stop)
    {
        var timing = checker.Check.Timing;
        try
        {
            var warmup = timing.Warmup * _random();
            var due = _time.GetUtcNow() + warmup;
            await Task.Delay(warmup, _time, stop).ConfigureAwait(false);
            while (!stop.IsCancellationRequested)
            {
                var result = await AttemptAsync(server, checker.Check, due, stop).ConfigureAwait(false);
                var pause = Apply(server, checker, result);
                due = _time.GetUtcNow() + pause;
                await Task.Delay(pause, _time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Removed or disposed.
        }
    }

    private async Task<CheckResult> AttemptAsync(MonitoredServer server, IHealthCheck check, DateTimeOffset due, CancellationToken stop)
    {
        await _slots.WaitAsync(stop).ConfigureAwait(false);
        var started = _time.GetUtcNow();
        CheckResult result;
        try
        {
            var limit = check.Timing.ConnectTimeout + TimeoutGrace;
            using var deadline = new CancellationTokenSource(limit, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop, deadline.Token);
            try
            {
                // WaitAsync bounds the attempt even when a checker ignores its token.
                result = await check.RunAsync(linked.Token).WaitAsync(limit, _time, stop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException || (e is OperationCanceledException && !stop.IsCancellationRequested))
            {
                result = new CheckResult(false, $"no result within {limit.TotalSeconds:0.###} s");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                result = new CheckResult(false, $"checker error: {e.GetType().Name}: {e.Message}");
            }
        }
        finally
        {
            _slots.Release();
        }
        var now = _time.GetUtcNow();
        var lateness = started - due;
        Raise(AttemptCompleted, new CheckAttempt(server, check, result, lateness < TimeSpan.Zero ? TimeSpan.Zero : lateness, now - started));
        return result;
    }

    /// <summary>Applies one result to the checker and the server; returns the pause before the next attempt.</summary>
    private TimeSpan Apply(MonitoredServer server, CheckerState checker, CheckResult result)
    {
        var timing = checker.Check.Timing;
        lock (server.Gate)
        {
            TimeSpan pause;
            if (result.Up)
            {
                checker.Up = true;
                checker.Failures = 0;
                pause = timing.DelayLoop;
            }
            else if (checker.Up && checker.Failures < timing.Retry)
            {
                checker.Failures++;
                pause = timing.DelayBeforeRetry;
            }
            else
            {
                checker.Up = false;
                checker.Failures = 0;
                pause = timing.DelayLoop;
            }
            if (server.Removed)
            {
                return pause;
            }
            var up = true;
            foreach (var c in server.Checkers)
            {
                up &= c.Up;
            }
            var weight = result.Weight ?? server.DynamicWeight;
            var agent = server.Agent;
            checker.ReportsAgent |= result.Agent is not null;
            if (checker.ReportsAgent && (result.Up || !checker.Up))
            {
                // While a failing agent is being retried its last good report stands; once it is
                // declared down the report is what it said (down, maint...) or null (no valid reply).
                agent = result.Agent;
            }
            if (up == server.Up && weight == server.DynamicWeight && Nullable.Equals(agent, server.Agent))
            {
                return pause;
            }
            var reason = $"{checker.Check.Kind}: {result.Reason}";
            if (up != server.Up)
            {
                server.LastChange = _time.GetUtcNow();
            }
            server.Up = up;
            server.DynamicWeight = weight;
            server.Agent = agent;
            server.LastReason = reason;
            var change = new ServerHealthChange(up, weight, reason) { Agent = agent };
            var handler = Changed;
            if (handler is not null)
            {
                try
                {
                    handler(server, change);
                }
                catch (Exception)
                {
                    // A failing subscriber must not stop the checks; see Changed.
                }
            }
            return pause;
        }
    }

    private static void Raise(Action<CheckAttempt>? handler, CheckAttempt attempt)
    {
        if (handler is null)
        {
            return;
        }
        try
        {
            handler(attempt);
        }
        catch (Exception)
        {
            // As for Changed: observers cannot stop the checks.
        }
    }
}
