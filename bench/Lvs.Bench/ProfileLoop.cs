using System.Diagnostics;
using System.Globalization;

namespace Lvs.Bench;

/// <summary>
/// Runs one benchmark body in a plain loop for a while, for a sampling profiler
/// (<c>DOTNET_PerfMapEnabled=1 perf record -g dotnet Lvs.Bench.dll loop newconn:wlc 20</c>):
/// BenchmarkDotNet's own process switching and pilot stages would blur the profile.
/// </summary>
public static class ProfileLoop
{
    /// <summary><paramref name="what"/>: <c>newconn:SCHEDULER</c>, <c>sched:SCHEDULER</c> (the scheduler alone), <c>nat-inbound</c> or <c>nat-newconn</c>.</summary>
    public static int Run(string what, string seconds, TextWriter output)
    {
        if (!int.TryParse(seconds, CultureInfo.InvariantCulture, out int s))
        {
            output.WriteLine("usage: loop newconn:SCHEDULER|sched:SCHEDULER|nat-inbound|nat-newconn SECONDS");
            return 2;
        }

        // An int result: returning the Verdict through object would box it on every op.
        Func<int> body;
        if (what.StartsWith("sched:", StringComparison.Ordinal))
        {
            var b = new SchedulerBenchmark { Scheduler = what["sched:".Length..] };
            b.Setup();
            body = () => b.Schedule() is null ? 0 : 1;
        }
        else if (what.StartsWith("newconn:", StringComparison.Ordinal))
        {
            var b = new NewConnectionBenchmark { Scheduler = what["newconn:".Length..] };
            b.Setup();
            body = () => (int)b.NewConnection().Kind;
        }
        else
        {
            var b = new NatEstablishedBenchmark();
            b.Setup();
            body = what == "nat-inbound" ? () => (int)b.Inbound().Kind : () => (int)b.NewConnection().Kind;
        }

        // Warm up first, so tiered compilation is done before the clocks start.
        for (int i = 0; i < 500_000; i++)
        {
            body();
        }

        // Process CPU time as well as wall clock: on a shared, overloaded machine the wall clock
        // mostly measures the wait for a core.
        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long ops = 0;
        while (clock.Elapsed.TotalSeconds < s)
        {
            for (int i = 0; i < 10_000; i++)
            {
                body();
            }

            ops += 10_000;
        }

        double cpuNs = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalNanoseconds;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: {ops} ops in {clock.Elapsed.TotalSeconds:F1} s: {clock.Elapsed.TotalNanoseconds / ops:F0} ns/op wall clock, {cpuNs / ops:F0} ns/op process CPU time"));
        return 0;
    }
}
