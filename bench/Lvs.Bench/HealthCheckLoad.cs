using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Lvs.Health;

namespace Lvs.Bench;

/// <summary>
/// Not a BenchmarkDotNet benchmark: a timed load run of the health checkers.
/// N real servers (TCP listeners on 127.0.0.1, in this process) each checked with TCP_CHECK and
/// HTTP_GET every second (delay_loop 1, warmup 1 to spread the first round) by one
/// <see cref="HealthMonitor"/> on the real clock; after the warm-up second it measures for S
/// seconds the attempts finished, their failures, and how late each attempt started relative to
/// its due time (waiting for a concurrency slot included).
/// <code>dotnet run -c Release --project bench/Lvs.Bench -- health-load [--servers 1000] [--seconds 10] [--max-concurrent 256]</code>
/// </summary>
internal static class HealthCheckLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var servers = Option(args, "--servers", 1000);
        var seconds = Option(args, "--seconds", 10);
        var maxConcurrent = Option(args, "--max-concurrent", 256);

        using var stop = new CancellationTokenSource();
        var listeners = new List<Socket>(servers);
        for (var i = 0; i < servers; i++)
        {
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(512);
            listeners.Add(listener);
            _ = ServeAsync(listener, stop.Token);
        }

        var lateness = new long[servers * 2 * (seconds + 4)];
        var durations = new long[lateness.Length];
        var recorded = 0;
        var failures = 0;
        var measuring = false;
        string? firstFailure = null;
        using var monitor = new HealthMonitor(TimeProvider.System, maxConcurrent);
        monitor.AttemptCompleted += attempt =>
        {
            if (!Volatile.Read(ref measuring))
            {
                return;
            }
            var slot = Interlocked.Increment(ref recorded) - 1;
            if (slot < lateness.Length)
            {
                lateness[slot] = attempt.Lateness.Ticks;
                durations[slot] = attempt.Duration.Ticks;
            }
            if (!attempt.Result.Up && Interlocked.Increment(ref failures) == 1)
            {
                firstFailure = $"{attempt.Server.Id} {attempt.Check.Kind}: {attempt.Result.Reason}";
            }
        };
        foreach (var listener in listeners)
        {
            var target = new CheckTarget(IPAddress.Loopback, (ushort)((IPEndPoint)listener.LocalEndPoint!).Port);
            var tcp = Create("TCP_CHECK", [], target);
            var http = Create("HTTP_GET", [new HealthBlock("url", [], [new HealthBlock("path", ["/"], [], "bench"), new HealthBlock("status_code", ["200"], [], "bench")], "bench")], target);
            monitor.Add($"127.0.0.1:{target.Port}", [tcp, http], startUp: true);
        }

        // Baseline in the same run: how late a bare 1 s timer wakes up on this (shared) machine.
        var baseline = new List<long>();
        var baselineTask = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var t = Stopwatch.GetTimestamp();
                await Task.Delay(100, CancellationToken.None);
                var late = Stopwatch.GetElapsedTime(t) - TimeSpan.FromMilliseconds(100);
                if (Volatile.Read(ref measuring))
                {
                    lock (baseline)
                    {
                        baseline.Add(late.Ticks);
                    }
                }
            }
        });
        var process = Process.GetCurrentProcess();
        monitor.Start();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref measuring, true);
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        Volatile.Write(ref measuring, false);
        var elapsed = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var cpu = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var count = Math.Min(Volatile.Read(ref recorded), lateness.Length);
        stop.Cancel();
        await baselineTask;
        listeners.ForEach(l => l.Dispose());

        var sorted = lateness[..count];
        Array.Sort(sorted);
        var sortedDurations = durations[..count];
        Array.Sort(sortedDurations);
        string At(long[] values, double q) => count == 0 ? "-" : TimeSpan.FromTicks(values[(int)Math.Min(count - 1, Math.Floor(q * count))]).TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture);
        string Ms(double q) => At(sorted, q);
        var due = servers * 2 * elapsed;
        Console.WriteLine($"servers {servers}, checkers {servers * 2} (TCP_CHECK + HTTP_GET each), delay_loop 1 s, max concurrent {maxConcurrent}, measured {elapsed:0.00} s");
        Console.WriteLine($"attempts {count} = {count / elapsed:0} checks/s (one per checker per second would be {servers * 2}/s; delay_loop runs from the end of an attempt), failures {failures}{(firstFailure is null ? "" : $" (first: {firstFailure})")}");
        Console.WriteLine($"lateness ms: p50 {Ms(0.5)}, p90 {Ms(0.9)}, p99 {Ms(0.99)}, p99.9 {Ms(0.999)}, max {Ms(1)}");
        long[] sortedBaseline;
        lock (baseline)
        {
            sortedBaseline = [.. baseline.Order()];
        }
        string Base(double q) => sortedBaseline.Length == 0 ? "-" : TimeSpan.FromTicks(sortedBaseline[(int)Math.Min(sortedBaseline.Length - 1, Math.Floor(q * sortedBaseline.Length))]).TotalMilliseconds.ToString("0.00", CultureInfo.InvariantCulture);
        Console.WriteLine($"baseline, a bare 100 ms Task.Delay's lateness ms ({sortedBaseline.Length} samples): p50 {Base(0.5)}, p90 {Base(0.9)}, p99 {Base(0.99)}, max {Base(1)}");
        Console.WriteLine($"attempt duration ms: p50 {At(sortedDurations, 0.5)}, p99 {At(sortedDurations, 0.99)}, max {At(sortedDurations, 1)}");
        Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"CPU {cpu:0.00} s over {elapsed:0.00} s ({cpu / elapsed * 100:0}% of one core, fake servers included), {count / due * 100:0.0}% of the nominal rate");
        return failures == 0 ? 0 : 1;
    }

    private static IHealthCheck Create(string kind, List<HealthBlock> extra, CheckTarget target)
    {
        List<HealthBlock> lines =
        [
            .. extra,
            new("connect_timeout", ["2"], [], "bench"),
            new("delay_loop", ["1"], [], "bench"),
            new("warmup", ["1"], [], "bench"),
        ];
        if (!CheckerFactory.TryCreate(new HealthBlock(kind, [], lines, "bench"), target, TimeSpan.FromSeconds(1), out var check, out var error))
        {
            throw new InvalidOperationException(error);
        }
        return check!;
    }

    /// <summary>A minimal HTTP server: reads the request head (or the checker's reset), answers 200, closes.</summary>
    private static async Task ServeAsync(Socket listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(ct);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        var buffer = new byte[1024];
                        var filled = 0;
                        while (filled < buffer.Length)
                        {
                            var n = await client.ReceiveAsync(buffer.AsMemory(filled), ct);
                            if (n == 0)
                            {
                                return;
                            }
                            filled += n;
                            if (buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8) >= 0)
                            {
                                await client.SendAsync("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray(), ct);
                                return;
                            }
                        }
                    }
                    catch (Exception)
                    {
                        // TCP_CHECK resets right after connecting.
                    }
                }
            }, CancellationToken.None);
        }
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
    }
}
