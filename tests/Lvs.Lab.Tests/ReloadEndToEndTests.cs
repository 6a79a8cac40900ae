using System.Diagnostics;
using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// Issue 5's reload acceptance, against the real lvsd in the lab: <c>lvsd --config</c> with a
/// keepalived.conf of two services, re-read on SIGHUP and on <c>lvsadm --reload</c>. A reload is
/// applied by difference, so traffic on the service it leaves alone never notices; a file that
/// does not load changes nothing and says where it is wrong.
/// </summary>
[Collection(ControlPlaneCollection.Name)]
public sealed class ReloadEndToEndTests(ControlPlaneLabFixture fixture, ITestOutputHelper output) : IDisposable
{
    /// <summary>The service the reloads change; its servers need not answer (nginx listens on 80 only).</summary>
    private const int OtherPort = 8080;

    private NatLab Lab => fixture.Lab ?? throw new InvalidOperationException("lab not built");

    private string ConfigPath => Path.Combine(Lab.TempDirectory, "keepalived.conf");

    [RootFact]
    public void Sighup_OtherServiceWeightsChangedUnderDownloadAndKeepAliveLoad_TrafficUnharmedAndCountersKept()
    {
        File.WriteAllText(ConfigPath, KeepalivedConf(1, 2));
        Lab.RestartLvsd("--config", ConfigPath);
        Assert.Equal((1, 2), OtherServiceWeights());
        string target = Path.Combine(Lab.TempDirectory, "reload-download.bin");
        var clock = Stopwatch.StartNew();

        // 100 MiB at 12 MiB/s takes about 8 s; wrk keeps 50 connections alive (its default) for 8 s.
        using var curl = Lab.StartInNamespace("curl /big", Lab.ClientNamespace,
            "curl", "-sS", "--fail", "--max-time", "60", "--limit-rate", "12M", "-o", target, $"http://{LabTopology.Vip}/big");
        var wrk = Task.Run(() => Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(40),
            "wrk", "-t2", "-c50", "-d8s", "--timeout", "5s", $"http://{LabTopology.Vip}/"));
        try
        {
            Thread.Sleep(TimeSpan.FromSeconds(2));
            Assert.False(curl.HasExited, $"download ended within 2 s (exit {curl.ExitCode}): {curl.Output}");
            if (wrk.IsCompleted)
            {
                // (Only now may the message read wrk.Result: it waits for wrk to end.)
                Assert.Fail($"wrk ended within 2 s: {wrk.Result.Describe()}");
            }

            Counters before = ReadCounters();

            File.WriteAllText(ConfigPath, KeepalivedConf(5, 3));
            Lab.SignalLvsd("HUP");
            WaitForOtherServiceWeights((5, 3));
            Counters atReload = ReadCounters();
            output.WriteLine($"at {clock.Elapsed.TotalSeconds:0.0} s: before SIGHUP {before}, after {atReload}");
            Assert.False(curl.HasExited, $"download ended before the reload was in force (exit {curl.ExitCode}): {curl.Output}");

            ExecResult load = wrk.Wait(TimeSpan.FromSeconds(45)) ? wrk.Result : throw new TimeoutException("wrk still running after 45 s");
            output.WriteLine(load.Stdout);
            Assert.True(load.Succeeded, load.Describe());
            var summary = WrkOutput.Parse(load.Stdout);
            Assert.True(summary.SocketErrors == 0, $"socket errors: {summary}");
            Assert.Equal(0, summary.Non2xx3xx);
            Assert.True(summary.Requests > 0, "wrk completed no request");

            Assert.True(curl.WaitForExit(TimeSpan.FromSeconds(60)), "download still running after 60 s");
            output.WriteLine($"download took {clock.Elapsed.TotalSeconds:0.0} s");
            Assert.True(curl.ExitCode == 0, $"curl exited {curl.ExitCode}: {curl.Output}");
            Assert.Equal(ControlPlaneLabFixture.BigFileBytes, new FileInfo(target).Length);
            Assert.Equal(fixture.BigFileSha256, RandomFile.Sha256Of(target));

            // The service the reload left alone kept its counters (a reset would start them
            // again below the figures read just before the signal) and its servers' weights.
            Counters after = ReadCounters();
            output.WriteLine($"after the traffic: {after}");
            before.AssertNoneBelow(atReload);
            atReload.AssertNoneBelow(after);
            Assert.True(atReload.Service.InPackets > before.Service.InPackets, "no packet counted across the reload");
            string listing = Lab.Lvsadm("-L", "-n").EnsureSuccess().Stdout;
            Assert.Contains($"TCP  {LabTopology.VipService} rr", listing);
            Assert.All(Lab.RealServers, rs => Assert.Equal(1, ServerWeight(listing, $"{rs.Address}:80")));
            Assert.Equal((5, 3), OtherServiceWeights());
        }
        finally
        {
            // wrk ends by itself after 8 s (40 s at most, then killed): never leave it to the next test.
            wrk.Wait(TimeSpan.FromSeconds(45));
        }
    }

    [RootFact]
    public void Reload_BrokenFile_RefusedWithFileLineColumnAndTableUnchanged()
    {
        File.WriteAllText(ConfigPath, KeepalivedConf(1, 2));
        Lab.RestartLvsd("--config", ConfigPath);
        string saved = Save();

        // Valid new weights and an unknown scheduler in one file: all of it is refused, so the
        // weights must not change either.
        string broken = KeepalivedConf(7, 7, otherScheduler: "nosuch");
        File.WriteAllText(ConfigPath, broken);
        var (line, column) = Locate(broken, "nosuch");
        var reload = Lab.Lvsadm("--reload");
        output.WriteLine(reload.Describe());

        Assert.False(reload.TimedOut);
        Assert.NotEqual(0, reload.ExitCode);
        Assert.Contains($"{ConfigPath}:{line}:{column}", reload.Stderr);
        Assert.Contains("nosuch", reload.Stderr);
        Assert.Equal(saved, Save());

        // SIGHUP takes the same path, asynchronously: wait for lvsd to log its second refusal.
        Lab.SignalLvsd("HUP");
        var lvsd = Lab.Lvsd!;
        WaitUntil(() => Occurrences(lvsd.Output, $"{ConfigPath}:{line}:{column}") >= 2, "lvsd to log the refusal of the SIGHUP reload");
        Assert.False(lvsd.HasExited, $"lvsd exited: {lvsd.Output}");
        Assert.Equal(saved, Save());

        // Once the file is fixed, --reload applies it.
        File.WriteAllText(ConfigPath, KeepalivedConf(4, 1));
        Lab.Lvsadm("--reload").EnsureSuccess();
        Assert.Equal((4, 1), OtherServiceWeights());
    }

    [RootFact]
    public void Config_IpvsadmSaveFile_LoadedAtStartAnd32RequestsSplit16And16()
    {
        string rules = string.Concat(
            $"-A -t {LabTopology.VipService} -s rr\n",
            string.Concat(Lab.RealServers.Select(rs => $"-a -t {LabTopology.VipService} -r {rs.Address}:80 -m -w 1\n")));
        string path = Path.Combine(Lab.TempDirectory, "rules.ipvs");
        File.WriteAllText(path, rules);

        Lab.RestartLvsd("--config", path);
        // -S prints what the file said, in the same form.
        Assert.Equal(rules, Save());
        var results = HttpProbe.Sequential(Lab, 32, TimeSpan.FromSeconds(5), r => output.WriteLine(r.ToString()));

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal([16, 16], HttpProbe.Tally(Lab, results).Select(t => t.Count));
    }

    public void Dispose()
    {
        if (fixture.Lab is { } lab)
        {
            LabDiagnostics.Write(lab, output);
        }
    }

    /// <summary>
    /// The lab's two services: VIP:80 rr over both nginx servers (NAT, keepalived's default
    /// method stated anyway), and VIP:8080 whose weights and scheduler the tests vary.
    /// </summary>
    private string KeepalivedConf(int weight1, int weight2, string otherScheduler = "wrr")
    {
        var (rs1, rs2) = (Lab.RealServers[0].Address, Lab.RealServers[1].Address);
        return $$"""
            # Written by ReloadEndToEndTests; the reloads change only the second service.
            global_defs {
                router_id lvs_lab
            }

            virtual_server {{LabTopology.Vip}} 80 {
                delay_loop 6
                lb_algo rr
                lb_kind NAT
                protocol TCP
                real_server {{rs1}} 80 {
                    weight 1
                }
                real_server {{rs2}} 80 {
                    weight 1
                }
            }

            virtual_server {{LabTopology.Vip}} {{OtherPort}} {
                delay_loop 6
                lb_algo {{otherScheduler}}
                lb_kind NAT
                protocol TCP
                real_server {{rs1}} {{OtherPort}} {
                    weight {{weight1}}
                }
                real_server {{rs2}} {{OtherPort}} {
                    weight {{weight2}}
                }
            }

            """;
    }

    /// <summary>1-based line and column of the first <paramref name="word"/> in <paramref name="text"/>.</summary>
    private static (int Line, int Column) Locate(string text, string word)
    {
        string[] lines = text.Split('\n');
        int index = Array.FindIndex(lines, l => l.Contains(word, StringComparison.Ordinal));
        return (index + 1, lines[index].IndexOf(word, StringComparison.Ordinal) + 1);
    }

    private static int Occurrences(string text, string what)
    {
        int count = 0;
        for (int at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private string Save() => Lab.Lvsadm("-S", "-n").EnsureSuccess().Stdout;

    private (int, int) OtherServiceWeights()
    {
        string listing = Lab.Lvsadm("-L", "-n").EnsureSuccess().Stdout;
        return (ServerWeight(listing, $"{Lab.RealServers[0].Address}:{OtherPort}"),
                ServerWeight(listing, $"{Lab.RealServers[1].Address}:{OtherPort}"));
    }

    private void WaitForOtherServiceWeights((int, int) expected) =>
        WaitUntil(() => OtherServiceWeights() == expected, $"the weights {expected} after the reload");

    private static void WaitUntil(Func<bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"waited 5 s for {what}");
            Thread.Sleep(100);
        }
    }

    /// <summary>The weight column of server <paramref name="addressPort"/>'s line in <c>-L -n</c> (-> addr:port method weight active inactive).</summary>
    private static int ServerWeight(string listing, string addressPort)
    {
        string line = Assert.Single(listing.Split('\n'), l => l.TrimStart().StartsWith($"-> {addressPort} ", StringComparison.Ordinal));
        return int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3], System.Globalization.CultureInfo.InvariantCulture);
    }

    private Counters ReadCounters()
    {
        string listing = Lab.Lvsadm("-L", "-n", "--stats", "--exact").EnsureSuccess().Stdout;
        return new Counters(
            ServiceStats.Parse(listing, "TCP", LabTopology.VipService),
            [.. Lab.RealServers.Select(rs => ServerConnections(listing, $"{rs.Address}:80"))]);
    }

    /// <summary>The Conns column of server <paramref name="addressPort"/>'s line in <c>--stats --exact</c>.</summary>
    private static long ServerConnections(string listing, string addressPort)
    {
        string line = Assert.Single(listing.Split('\n'), l => l.TrimStart().StartsWith($"-> {addressPort} ", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The first service's counters and its servers' Conns, in lab order.</summary>
    private sealed record Counters(ServiceStats Service, long[] ServerConnections)
    {
        /// <summary>Fails unless every counter of <paramref name="later"/> is at least this one's.</summary>
        public void AssertNoneBelow(Counters later)
        {
            Assert.True(later.Service.Connections >= Service.Connections, $"service Conns went down: {this} then {later}");
            Assert.True(later.Service.InPackets >= Service.InPackets, $"service InPkts went down: {this} then {later}");
            Assert.True(later.Service.InBytes >= Service.InBytes, $"service InBytes went down: {this} then {later}");
            for (int i = 0; i < ServerConnections.Length; i++)
            {
                Assert.True(later.ServerConnections[i] >= ServerConnections[i], $"server {i + 1}'s Conns went down: {this} then {later}");
            }
        }

        public override string ToString() =>
            $"Conns {Service.Connections} (servers {string.Join('/', ServerConnections)}), InPkts {Service.InPackets}, InBytes {Service.InBytes}";
    }
}
