namespace Lvs.Health.Tests.Monitor;

/// <summary>A checker whose attempts return scripted results (the last one repeats) and are counted.</summary>
internal sealed class ScriptedCheck(CheckTiming timing, params CheckResult[] script) : IHealthCheck
{
    private int _attempts;

    public string Kind => "SCRIPTED";

    public CheckTiming Timing { get; } = timing;

    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>When set, attempts wait for it (and ignore their token: a misbehaving checker).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public int Running;

    public int MaxRunning;

    public async Task<CheckResult> RunAsync(CancellationToken ct)
    {
        var n = Interlocked.Increment(ref _attempts);
        var running = Interlocked.Increment(ref Running);
        InterlockedMax(ref MaxRunning, running);
        try
        {
            if (Gate is { } gate)
            {
                await gate.Task;
            }
            return script[Math.Min(n, script.Length) - 1];
        }
        finally
        {
            Interlocked.Decrement(ref Running);
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) != current)
        {
            current = Volatile.Read(ref target);
        }
    }
}
