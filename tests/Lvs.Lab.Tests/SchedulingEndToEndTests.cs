using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// Issue 4's scheduling and connection semantics end to end: lvsd in NAT mode in front of three
/// nginx real servers, driven by our lvsadm with ipvsadm's syntax, probed by curl from two
/// client addresses. The expected picks are derived from the kernel's ip_vs sources.
/// </summary>
[Collection(SchedulingCollection.Name)]
public sealed class SchedulingEndToEndTests : IDisposable
{
    private static readonly TimeSpan PerRequestTimeout = TimeSpan.FromSeconds(5);

    private readonly SchedulingLabFixture _fixture;
    private readonly ITestOutputHelper _output;

    public SchedulingEndToEndTests(SchedulingLabFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
        fixture.Lab?.Lvsadm("-C").EnsureSuccess();
    }

    private NatLab Lab => _fixture.Lab ?? throw new InvalidOperationException("lab not built");

    [RootFact]
    public void WeightedRoundRobin_Weights443SchedulerSetAfterServers_11ConnectionsABABCABCABC()
    {
        // ip_vs keeps a service's servers newest first (__ip_vs_update_dest adds with
        // list_add_rcu, at the head), so adding C (3), then B (4), then A (4) makes the list
        // A B C. Switching to wrr then runs ip_vs_wrr_init_svc over all three: cw = max weight 4,
        // stepping down by the gcd 1 at each pass: A B | A B C | A B C | A B C.
        var (a, b, c) = (Lab.RealServers[0], Lab.RealServers[1], Lab.RealServers[2]);
        Lvsadm("-A", "-t", LabTopology.VipService, "-s", "rr");
        AddServer(LabTopology.VipService, c, 3);
        AddServer(LabTopology.VipService, b, 4);
        AddServer(LabTopology.VipService, a, 4);
        Lvsadm("-E", "-t", LabTopology.VipService, "-s", "wrr");

        var results = Probe(11, LabTopology.ClientAddress);

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(Names(a, b, a, b, c, a, b, c, a, b, c), results.Select(r => r.Server?.Name));
    }

    [RootFact]
    public void WeightedRoundRobin_Weights443AddedOneByOne_11ConnectionsInKernelOrder()
    {
        // The same list A B C, but wrr sees the servers arrive one by one: with C alone its gcd
        // is 3, so mw = 3 - (3 - 1) = 1 and ip_vs_wrr_dest_changed sets cw = 1; B and A leave a
        // non-zero cw below the new mw alone. The first pass takes everyone (weight >= 1), then
        // cw restarts at 4: A B C | A B | A B C | A B C.
        var (a, b, c) = (Lab.RealServers[0], Lab.RealServers[1], Lab.RealServers[2]);
        Lvsadm("-A", "-t", LabTopology.VipService, "-s", "wrr");
        AddServer(LabTopology.VipService, c, 3);
        AddServer(LabTopology.VipService, b, 4);
        AddServer(LabTopology.VipService, a, 4);

        var results = Probe(11, LabTopology.ClientAddress);

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal(Names(a, b, c, a, b, a, b, c, a, b, c), results.Select(r => r.Server?.Name));
    }

    [RootFact]
    public void SourceHashing_20ConnectionsFromEachOfTwoClients_EachClientStaysOnOneServer()
    {
        Lvsadm("-A", "-t", LabTopology.VipService, "-s", "sh");
        foreach (var rs in Lab.RealServers)
        {
            AddServer(LabTopology.VipService, rs, 1);
        }

        var first = Probe(20, LabTopology.ClientAddress);
        var second = Probe(20, LabTopology.SecondClientAddress);

        Assert.All(first.Concat(second), r => Assert.Null(r.Error));
        // hash_32 puts 198.51.100.2 in bucket 194 and 198.51.100.4 in bucket 133. The servers of
        // weight 1 fill the 256 buckets round and round in list order rs3 rs2 rs1 (newest
        // first), so bucket 194 (2 mod 3) is rs1's and bucket 133 (1 mod 3) is rs2's.
        Assert.All(first, r => Assert.Equal(Lab.RealServers[0], r.Server));
        Assert.All(second, r => Assert.Equal(Lab.RealServers[1], r.Server));
    }

    [RootFact]
    public void Persistence_P60_ClientStaysOnOneServerAndItsTemplateIsListed()
    {
        Lvsadm("-A", "-t", LabTopology.VipService, "-s", "rr", "-p", "60");
        foreach (var rs in Lab.RealServers)
        {
            AddServer(LabTopology.VipService, rs, 1);
        }

        var first = Probe(20, LabTopology.ClientAddress);
        var second = Probe(20, LabTopology.SecondClientAddress);

        Assert.All(first.Concat(second), r => Assert.Null(r.Error));
        // rr ran once per client (the template answers every later connection) over the list
        // rs3 rs2 rs1 (newest first): rs3 for the first client, rs2 for the second.
        RealServer firstServer = Lab.RealServers[2], secondServer = Lab.RealServers[1];
        Assert.All(first, r => Assert.Equal(firstServer, r.Server));
        Assert.All(second, r => Assert.Equal(secondServer, r.Server));
        // ip_vs_sched_persist's template: client port 0, the service's port, the server's port;
        // /proc/net/ip_vs_conn names a template's state NONE.
        string listing = Lvsadm("-L", "-n", "-c").Stdout;
        AssertTemplate(listing, LabTopology.ClientAddress, firstServer);
        AssertTemplate(listing, LabTopology.SecondClientAddress, secondServer);
    }

    [RootFact]
    public void WeightZero_SetDuringDownload_DownloadCompletesAndNewConnectionsAvoidIt()
    {
        Lvsadm("-A", "-t", LabTopology.VipService, "-s", "rr");
        foreach (var rs in Lab.RealServers)
        {
            AddServer(LabTopology.VipService, rs, 1);
        }

        string target = Path.Combine(Lab.TempDirectory, "download-weight0.bin");
        var clock = Stopwatch.StartNew();
        // 100 MB at 25 MB/s takes about 4 s, long enough to change the weight under it.
        using var curl = Lab.StartInNamespace("curl /big", Lab.ClientNamespace,
            "curl", "-sS", "--fail", "--max-time", "60", "--limit-rate", "25M", "-o", target, $"http://{LabTopology.Vip}/big");
        RealServer busy = WaitForSingleActive(LabTopology.VipService, TimeSpan.FromSeconds(3));
        Assert.False(curl.HasExited, $"download ended before its weight was changed (exit {curl.ExitCode}): {curl.Output}");
        Lvsadm("-e", "-t", LabTopology.VipService, "-r", $"{busy.Address}:{LabTopology.ServicePort}", "-m", "-w", "0");

        var others = Probe(6, LabTopology.ClientAddress);

        Assert.All(others, r => Assert.Null(r.Error));
        Assert.DoesNotContain(busy, others.Select(r => r.Server));
        Assert.Equal(2, others.Select(r => r.Server).Distinct().Count());
        Assert.True(curl.WaitForExit(TimeSpan.FromSeconds(70)), "download still running after 70 s");
        _output.WriteLine($"download took {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(curl.ExitCode == 0, $"curl exited {curl.ExitCode}: {curl.Output}");
        Assert.Equal(SchedulingLabFixture.BigFileBytes, new FileInfo(target).Length);
        Assert.Equal(_fixture.BigFileSha256, RandomFile.Sha256Of(target));
    }

    [RootFact]
    public void UpperThreshold_X2_ThirdConcurrentConnectionGoesToOtherServer()
    {
        // A service of its own (8080 -> 80), so no entry left by an earlier test counts against
        // the threshold. wrr 10:1 alone would send the first ten connections to rs1.
        string service = $"{LabTopology.Vip}:8080";
        var (rs1, rs2) = (Lab.RealServers[0], Lab.RealServers[1]);
        Lvsadm("-A", "-t", service, "-s", "wrr");
        AddServer(service, rs1, 10, "-x", "2");
        AddServer(service, rs2, 1);

        var downloads = new List<LabProcess>();
        try
        {
            for (int i = 1; i <= 3; i++)
            {
                // Slow and bounded: each holds its connection established for the rest of the test.
                downloads.Add(Lab.StartInNamespace($"slow curl {i}", Lab.ClientNamespace,
                    "curl", "-sS", "--max-time", "30", "--limit-rate", "1M", "-o", "/dev/null", $"http://{service}/big"));
                WaitForTotalActive(service, i, TimeSpan.FromSeconds(5));
            }

            // ip_vs_bind_dest marks rs1 overloaded once its ActiveConn + InActConn reach 2.
            Assert.Equal(2, Counts(service, rs1).Active);
            Assert.Equal(1, Counts(service, rs2).Active);
            var more = Lab.Curl($"http://{service}/", PerRequestTimeout);
            Assert.True(more.Succeeded, more.Describe());
            Assert.Equal(NginxConfig.Body(rs2.Name), more.Stdout);
            Assert.All(downloads, d => Assert.False(d.HasExited, $"{d.Name} ended early: {d.Output}"));
        }
        finally
        {
            foreach (var download in downloads)
            {
                download.Dispose();
            }
        }
    }

    public void Dispose()
    {
        if (_fixture.Lab is { } lab)
        {
            LabDiagnostics.Write(lab, _output);
        }
    }

    private static void AssertTemplate(string listing, string client, RealServer server)
    {
        var pattern = new Regex(
            $@"^TCP\s+(\d\d):(\d\d)\s+NONE\s+{Regex.Escape(client)}:0\s+{Regex.Escape(LabTopology.VipService)}\s+{Regex.Escape(server.Address)}:80$",
            RegexOptions.Multiline);
        var match = pattern.Match(listing);
        Assert.True(match.Success, $"no template {client}:0 -> {server.Address}:80 in\n{listing}");
        int seconds = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) * 60
            + int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 1, 60);
    }

    private static IEnumerable<string> Names(params RealServer[] servers) => servers.Select(rs => rs.Name);

    private IReadOnlyList<ProbeResult> Probe(int count, string sourceAddress) =>
        HttpProbe.Sequential(Lab, count, PerRequestTimeout, r => _output.WriteLine($"{sourceAddress}: {r}"), "--interface", sourceAddress);

    private ExecResult Lvsadm(params string[] args) => Lab.Lvsadm(args).EnsureSuccess();

    private void AddServer(string service, RealServer rs, int weight, params string[] extra) =>
        Lvsadm(["-a", "-t", service, "-r", $"{rs.Address}:{LabTopology.ServicePort}", "-m",
            "-w", weight.ToString(CultureInfo.InvariantCulture), .. extra]);

    /// <summary>ActiveConn and InActConn of <paramref name="rs"/> under <paramref name="service"/> in <c>-L -n</c>.</summary>
    private (int Active, int Inactive) Counts(string service, RealServer rs)
    {
        var all = ServiceCounts(service);
        Assert.True(all.ContainsKey(rs.Address), $"{rs.Address} not listed under {service}");
        return all[rs.Address];
    }

    /// <summary>ActiveConn and InActConn of every server listed under <paramref name="service"/>, by address.</summary>
    private Dictionary<string, (int Active, int Inactive)> ServiceCounts(string service)
    {
        var lines = Lvsadm("-L", "-n").Stdout.Split('\n');
        // -L -n: "TCP  VIP:PORT sched" then "  -> addr:port Masq weight active inactive" lines.
        return lines.SkipWhile(l => !l.StartsWith("TCP  " + service + " ", StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => l.StartsWith("  -> ", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(
                f => f[1][..f[1].LastIndexOf(':')],
                f => (int.Parse(f[4], CultureInfo.InvariantCulture), int.Parse(f[5], CultureInfo.InvariantCulture)));
    }

    private RealServer WaitForSingleActive(string service, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var counts = ServiceCounts(service);
            var active = Lab.RealServers.Where(rs => counts.TryGetValue(rs.Address, out var c) && c.Active > 0).ToList();
            if (active.Count == 1)
            {
                return active[0];
            }

            Assert.True(clock.Elapsed < timeout, $"{active.Count} servers with active connections after {timeout.TotalSeconds} s");
            Thread.Sleep(100);
        }
    }

    private void WaitForTotalActive(string service, int expected, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        int total;
        while ((total = ServiceCounts(service).Values.Sum(c => c.Active)) < expected && clock.Elapsed < timeout)
        {
            Thread.Sleep(100);
        }

        Assert.True(total == expected, $"{total} active connections under {service}, expected {expected}");
    }
}
