using System.Diagnostics;
using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// Issue 7's failover acceptance, run for NAT and for DR by the subclasses: two lvsd directors with VRRPv3 at advert_int 0.1 and
/// connection sync; 200 slow downloads and a wrk load (a new connection per request) through the
/// VIP; the master is killed (kill -9) or stopped (SIGTERM, priority 0). The VIP must reach the
/// backup within 1 s, every download must complete with the right bytes, and new connections
/// must work again. After the kill, the old master comes back, pulls the table and only then
/// preempts, and the downloads survive that too.
/// </summary>
public abstract class FailoverEndToEndTests(FailoverLabFixture fixture, ITestOutputHelper output)
{
    private const int Streams = 200;

    // 1 MiB at 40 KiB/s: about 26 s per download, long enough to span the kill, the restart and the preemption.
    private const int StreamRate = 40 << 10;

    private static readonly TimeSpan TakeoverBound = TimeSpan.FromSeconds(1);

    private FailoverLab Lab => fixture.Lab ?? throw new InvalidOperationException("lab not built");

    [RootFact]
    public void Kill9_Master_VipMovesWithinOneSecondAndStreamsSurviveTakeoverAndPreemption()
    {
        RunFailover(clean: false);
    }

    [RootFact]
    public void CleanStop_Master_VipMovesWithinOneSecondAndStreamsSurvive()
    {
        RunFailover(clean: true);
    }

    private void RunFailover(bool clean)
    {
        try
        {
            StartPair();
            var streams = SlowStreams.Start(Lab, Streams, StreamRate, TimeSpan.FromSeconds(90));
            var wrk = Lab.StartInNamespace("wrk", Lab.ClientNamespace, "wrk", "-t2", "-c10", "-d12s", "--timeout", "2s",
                "-H", "Connection: close", $"http://{LabTopology.Vip}/");

            // Every download established on d1 and known to d2 through sync before the failure.
            WaitFor(() => Established(1) >= Streams, TimeSpan.FromSeconds(15), "d2 to hold the 200 synced connections");
            output.WriteLine($"before the failure: d1 has {Established(0)} ESTABLISHED entries, d2 {Established(1)}");

            var (vipMoved, firstConnection) = FailMaster(clean);
            output.WriteLine($"{(clean ? "SIGTERM" : "kill -9")}: VIP on d2 after {vipMoved.TotalMilliseconds:F0} ms, "
                + $"first new connection after {firstConnection.TotalMilliseconds:F0} ms");
            Assert.True(vipMoved <= TakeoverBound, $"VIP moved after {vipMoved.TotalMilliseconds:F0} ms");
            Assert.True(firstConnection <= TakeoverBound, $"first new connection after {firstConnection.TotalMilliseconds:F0} ms");
            Assert.True(Lab.HoldsAll(1), "the gateway did not move with the VIP (sync group)");
            // After kill -9 the dead daemon's addresses stay in d1's kernel (as keepalived's would).
            output.WriteLine($"d1 still holds its VRRP addresses after the failure: {Lab.HoldsAll(0)}");

            if (!clean)
            {
                RestartAndPreempt();
            }

            CheckStreams(streams);
            CheckWrk(wrk);
        }
        finally
        {
            for (int i = 0; i < 2; i++)
            {
                output.WriteLine($"---- lvsd of d{i + 1}:\n{Lab.LastLvsdOf(i)?.Output ?? "(never started)"}");
                if (Lab.LvsdOf(i) is not null)
                {
                    Lab.StopDirector(i);
                }
            }
        }
    }

    // d2 first, so d1 (150) wins the election by priority and not by starting first.
    private void StartPair()
    {
        Lab.StartDirector(1);
        Lab.StartDirector(0);
        WaitFor(() => Lab.HoldsAll(0) && Lab.HoldsNone(1), TimeSpan.FromSeconds(10),
            "d1 to be master of VG1");
        output.WriteLine(Lab.LvsadmOf(1, "-L", "--daemon").Stdout);
    }

    /// <summary>Fails d1 and measures, from that moment, the VIP on d2 and the first new connection that succeeds.</summary>
    private (TimeSpan VipMoved, TimeSpan FirstConnection) FailMaster(bool clean)
    {
        var clock = new Stopwatch();
        output.WriteLine($"failing d1 at {DateTime.UtcNow:HH:mm:ss.fff} UTC");
        // Own threads, not the pool's: blocking pollers on a 2-core pool starve the async reads of
        // the very processes they start, which delayed the readings by up to a second.
        string backup = Lab.Directors[1].Namespace;
        var vip = new Task<TimeSpan?>(() => Poll(() => FailoverProbes.HasVip(backup), clock, TimeSpan.FromSeconds(5)), TaskCreationOptions.LongRunning);
        // A new connection per try, each given 150 ms: a try whose SYN went to the dead director costs at
        // most that much before the next one, so the reading is late by up to 150 ms, never early.
        var connect = new Task<TimeSpan?>(() => Poll(() => FailoverProbes.Get(Lab.ClientNamespace, TimeSpan.FromSeconds(0.15)),
            clock, TimeSpan.FromSeconds(5)), TaskCreationOptions.LongRunning);
        clock.Start();
        if (clean)
        {
            // SIGTERM only asks: lvsd advertises priority 0 at once but takes a while to exit, so
            // the measurement runs while it stops.
            vip.Start();
            connect.Start();
            Assert.True(Lab.StopDirector(0), "lvsd of d1 did not exit on SIGTERM");
            output.WriteLine($"lvsd of d1 exited {clock.Elapsed.TotalMilliseconds:F0} ms after SIGTERM");
        }
        else
        {
            Lab.KillDirector(0);
            vip.Start();
            connect.Start();
        }

        Task.WaitAll([vip, connect], TimeSpan.FromSeconds(15));
        return (vip.Result ?? throw new TimeoutException("VIP not on d2 within 5 s"),
            connect.Result ?? throw new TimeoutException("no new connection within 5 s"));
    }

    /// <summary>d1 comes back as backup with the same config; it must pull d2's table before it preempts.</summary>
    private void RestartAndPreempt()
    {
        Thread.Sleep(TimeSpan.FromSeconds(1));
        var clock = Stopwatch.StartNew();
        Lab.StartDirector(0);
        TimeSpan back = WaitFor(() => Lab.HoldsAll(0) && Lab.HoldsNone(1),
            TimeSpan.FromSeconds(15), "the restarted d1 to preempt");
        output.WriteLine($"restarted d1 master again {(clock.Elapsed).TotalMilliseconds:F0} ms after its start ({back.TotalMilliseconds:F0} ms polling)");
        string log = Lab.LvsdOf(0)!.Output;
        int released = log.IndexOf("preemption released", StringComparison.Ordinal);
        Assert.True(released >= 0, "the restarted d1 never released preemption");
        Assert.Contains("table_pulled=True", log[released..], StringComparison.OrdinalIgnoreCase);
        int master = log.IndexOf("to=Master", StringComparison.Ordinal);
        Assert.True(master > released, "the restarted d1 became master before it released preemption");
        output.WriteLine($"after the preemption: d1 has {Established(0)} ESTABLISHED entries, d2 {Established(1)}");
    }

    private void CheckStreams(SlowStreams streams)
    {
        var (transfers, curlOutput) = streams.Wait(TimeSpan.FromSeconds(100));
        var bad = transfers.Where(t => t.Status != 200 || t.ExitCode != 0 || t.Bytes != FailoverLabFixture.StreamFileBytes).ToList();
        Assert.True(transfers.Count == Streams && bad.Count == 0,
            $"{transfers.Count} transfers reported, {bad.Count} bad: {string.Join(", ", bad.Take(10))}\n{curlOutput[..Math.Min(curlOutput.Length, 4000)]}");
        var wrong = streams.Files.Where(f => !File.Exists(f) || RandomFile.Sha256Of(f) != fixture.BigFileSha256).ToList();
        Assert.True(wrong.Count == 0, $"{wrong.Count} downloads with wrong bytes: {string.Join(", ", wrong.Take(10))}");
        output.WriteLine($"all {Streams} downloads complete with the right SHA-256");
    }

    private void CheckWrk(LabProcess wrk)
    {
        Assert.True(wrk.WaitForExit(TimeSpan.FromSeconds(30)), "wrk still running");
        output.WriteLine("wrk across the failover:\n" + wrk.Output);
        Assert.True(WrkOutput.Parse(wrk.Output).Requests > 0, "wrk made no request");

        // After the failover, new connections all work again.
        ExecResult after = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(30),
            "wrk", "-t2", "-c10", "-d3s", "--timeout", "2s", "-H", "Connection: close", $"http://{LabTopology.Vip}/");
        output.WriteLine("wrk after the failover:\n" + after.Stdout);
        Assert.True(after.Succeeded, after.Describe());
        var summary = WrkOutput.Parse(after.Stdout);
        Assert.True(summary.SocketErrors == 0 && summary.Non2xx3xx == 0 && summary.Requests > 100, summary.ToString());
    }

    private int Established(int index)
    {
        var result = Lab.LvsadmOf(index, "-L", "-n", "-c");
        return result.Succeeded ? result.Stdout.Split('\n').Count(l => l.Contains("ESTABLISHED", StringComparison.Ordinal)) : -1;
    }

    private static TimeSpan? Poll(Func<bool> condition, Stopwatch clock, TimeSpan limit)
    {
        while (clock.Elapsed < limit)
        {
            if (condition())
            {
                return clock.Elapsed;
            }

            Thread.Sleep(5);
        }

        return null;
    }

    private TimeSpan WaitFor(Func<bool> condition, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        return Poll(condition, clock, limit) ?? throw new TimeoutException(
            $"waited {limit.TotalSeconds} s for {what}\nd1:\n{Lab.LvsadmOf(0, "--vrrp").Stdout}\nd2:\n{Lab.LvsadmOf(1, "--vrrp").Stdout}");
    }
}

/// <summary>The failover acceptance in NAT (the VIP and the real servers' gateway move as sync group VG1).</summary>
[Collection(FailoverCollection.Name)]
public sealed class FailoverNatEndToEndTests(FailoverNatLabFixture fixture, ITestOutputHelper output)
    : FailoverEndToEndTests(fixture, output), IClassFixture<FailoverNatLabFixture>;

/// <summary>
/// The NAT failover acceptance with two workers in each director: the backup installs every
/// synced connection on the worker its client hashes to, so the downloads continue after takeover.
/// </summary>
[Collection(FailoverCollection.Name)]
public sealed class FailoverNatWorkersEndToEndTests(FailoverNatWorkersLabFixture fixture, ITestOutputHelper output)
    : FailoverEndToEndTests(fixture, output), IClassFixture<FailoverNatWorkersLabFixture>;

/// <summary>The failover acceptance in DR (real servers hold the VIP on lo; replies go straight to the router).</summary>
[Collection(FailoverCollection.Name)]
public sealed class FailoverDrEndToEndTests(FailoverDrLabFixture fixture, ITestOutputHelper output)
    : FailoverEndToEndTests(fixture, output), IClassFixture<FailoverDrLabFixture>;

/// <summary>The failover classes run one after the other: each loads the machine with 200 streams and wrk.</summary>
[CollectionDefinition(Name)]
public sealed class FailoverCollection
{
    public const string Name = "failover";
}
