using System.Diagnostics;
using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// lvsd in NAT mode between real curl/wrk clients and real nginx servers, all in the lab's
/// namespaces, driven by our own lvsadm (as the kernel's ipvs.sh selftest drives ipvsadm).
/// </summary>
public sealed class NatEndToEndTests : IClassFixture<NatLabFixture>, IDisposable
{
    private static readonly TimeSpan PerRequestTimeout = TimeSpan.FromSeconds(5);

    private readonly NatLabFixture _fixture;
    private readonly ITestOutputHelper _output;

    public NatEndToEndTests(NatLabFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
        if (fixture.Lab is { } lab)
        {
            lab.Lvsadm("-C").EnsureSuccess();
        }
    }

    private NatLab Lab => _fixture.Lab ?? throw new InvalidOperationException("lab not built");

    [RootFact]
    public void RoundRobin_32SequentialRequests_Split16And16()
    {
        Lab.AddService("rr", 1, 1);

        var results = HttpProbe.Sequential(Lab, 32, PerRequestTimeout, r => _output.WriteLine(r.ToString()));

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal([16, 16], HttpProbe.Tally(Lab, results).Select(t => t.Count));
    }

    [RootFact]
    public void WeightedRoundRobin_Weights3And1_Split24And8()
    {
        Lab.AddService("wrr", 3, 1);

        var results = HttpProbe.Sequential(Lab, 32, PerRequestTimeout, r => _output.WriteLine(r.ToString()));

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal([24, 8], HttpProbe.Tally(Lab, results).Select(t => t.Count));
    }

    [RootFact]
    public void RoundRobin_ClientPortsReusedWhileOldEntriesLinger_EverySynScheduled()
    {
        Lab.AddService("rr", 1, 1);
        // 16 client ports for 32 connections: every port comes back while lvsd still holds the
        // closed connection's entry. ip_vs (conn_reuse_mode=1) schedules a SYN that hits a
        // TIME_WAIT entry as a new connection; so must lvsd, or rr's order breaks (as after wrk).
        Lab.Exec(Lab.ClientNamespace, "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=40000 40015", "net.ipv4.tcp_tw_reuse=1")
            .EnsureSuccess();
        try
        {
            var results = new List<ProbeResult>();
            for (int i = 1; i <= 32; i++)
            {
                // Connection: close lets nginx close first, so the client's port is free at once.
                var result = Lab.Curl($"http://{NatLab.Vip}/", PerRequestTimeout, "-H", "Connection: close", "-w", "%{local_port}");
                var server = Lab.RealServers.FirstOrDefault(rs => result.Stdout.StartsWith(NginxConfig.Body(rs.Name), StringComparison.Ordinal));
                results.Add(new ProbeResult(i, server, result.Succeeded ? null : result.Stderr.Trim()));
                _output.WriteLine($"{results[^1]} from port {result.Stdout.TrimEnd().Split('\n')[^1]}");
            }

            Assert.All(results, r => Assert.Null(r.Error));
            Assert.Equal([16, 16], HttpProbe.Tally(Lab, results).Select(t => t.Count));
            // The service's Conns column counts scheduled connections: one per request.
            string stats = Lab.Lvsadm("-L", "-n", "--stats").EnsureSuccess().Stdout;
            Assert.Matches(@"TCP  192\.0\.2\.10:80\s+32\s", stats);
        }
        finally
        {
            Lab.Exec(Lab.ClientNamespace, "sysctl", "-q", "-w", "net.ipv4.ip_local_port_range=32768 60999", "net.ipv4.tcp_tw_reuse=2");
        }
    }

    [RootFact]
    public void Wrk_20ConnectionsWithConnectionClose_NoSocketErrorsNoBadResponses()
    {
        Lab.AddService("rr", 1, 1);

        var result = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(40),
            "wrk", "-t2", "-c20", "-d10s", "--timeout", "5s", "-H", "Connection: close", $"http://{NatLab.Vip}/");
        _output.WriteLine(result.Stdout);

        Assert.True(result.Succeeded, result.Describe());
        var wrk = WrkOutput.Parse(result.Stdout);
        Assert.True(wrk.SocketErrors == 0, $"socket errors: {wrk}");
        Assert.Equal(0, wrk.Non2xx3xx);
        Assert.True(wrk.Requests > 0, "wrk completed no request");
    }

    [RootFact]
    public void Download100MB_SchedulerEditedDuringTransfer_ChecksumMatches()
    {
        Lab.AddService("rr", 1, 1);
        string target = Path.Combine(Lab.TempDirectory, "download.bin");
        var clock = Stopwatch.StartNew();

        // 100 MB at 25 MB/s takes about 4 s, long enough to change the service under it.
        using var curl = Lab.StartInNamespace("curl /big", Lab.ClientNamespace,
            "curl", "-sS", "--fail", "--max-time", "60", "--limit-rate", "25M", "-o", target, $"http://{NatLab.Vip}/big");
        Thread.Sleep(TimeSpan.FromSeconds(1));
        Assert.False(curl.HasExited, $"download ended within 1 s (exit {curl.ExitCode}): {curl.Output}");
        Lab.Lvsadm("-E", "-t", NatLab.Vip + ":80", "-s", "wrr").EnsureSuccess();
        bool finished = curl.WaitForExit(TimeSpan.FromSeconds(70));
        _output.WriteLine($"download took {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.True(finished, "download still running after 70 s");
        Assert.True(curl.ExitCode == 0, $"curl exited {curl.ExitCode}: {curl.Output}");
        Assert.Equal(NatLabFixture.BigFileBytes, new FileInfo(target).Length);
        Assert.Equal(_fixture.BigFileSha256, NatLabFixture.Sha256Of(target));
        Assert.Contains("wrr", Lab.Lvsadm("-L", "-n").EnsureSuccess().Stdout);
    }

    [RootFact]
    public void Download100MB_ItsRealServerDeletedDuringTransfer_CompletesAndNewRequestsGoElsewhere()
    {
        Lab.AddService("rr", 1, 1);
        string target = Path.Combine(Lab.TempDirectory, "download-deleted.bin");

        // rr's first pick is the first server: the download runs through rs1.
        using var curl = Lab.StartInNamespace("curl /big", Lab.ClientNamespace,
            "curl", "-sS", "--fail", "--max-time", "60", "--limit-rate", "25M", "-o", target, $"http://{NatLab.Vip}/big");
        Thread.Sleep(TimeSpan.FromSeconds(1));
        Assert.False(curl.HasExited, $"download ended within 1 s (exit {curl.ExitCode}): {curl.Output}");
        // The server whose ActiveConn carries the download (-L -n columns: -> addr:port method weight active inactive).
        RealServer busy = Assert.Single(Lab.RealServers, rs => ActiveConns(rs) == 1);
        RealServer other = Assert.Single(Lab.RealServers, rs => rs != busy);
        Lab.Lvsadm("-d", "-t", NatLab.Vip + ":80", "-r", busy.Address + ":80").EnsureSuccess();

        // ip_vs keeps a deleted server's connections running until they end; so must lvsd.
        var others = HttpProbe.Sequential(Lab, 4, PerRequestTimeout);
        Assert.All(others, r => Assert.Equal(other, r.Server));
        Assert.True(curl.WaitForExit(TimeSpan.FromSeconds(70)), "download still running after 70 s");
        Assert.True(curl.ExitCode == 0, $"curl exited {curl.ExitCode}: {curl.Output}");
        Assert.Equal(_fixture.BigFileSha256, NatLabFixture.Sha256Of(target));
    }

    private int ActiveConns(RealServer rs)
    {
        string line = Lab.Lvsadm("-L", "-n").EnsureSuccess().Stdout.Split('\n')
            .Single(l => l.Contains(rs.Address + ":80", StringComparison.Ordinal));
        return int.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[4], System.Globalization.CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        if (_fixture.Lab is not { } lab)
        {
            return;
        }

        // The drop counters explain most failures of the data path; log them after every test.
        var drops = lab.Lvsadm("-L", "--drops");
        _output.WriteLine("$ lvsadm -L --drops");
        _output.WriteLine(drops.Succeeded ? drops.Stdout : drops.Describe());
        if (lab.Lvsd is { } lvsd)
        {
            string state = lvsd.HasExited ? $"died with exit code {lvsd.ExitCode}" : "running";
            var lines = lvsd.Output.Split('\n');
            _output.WriteLine($"lvsd {state}; last lines of its log:");
            _output.WriteLine(string.Join('\n', lines.TakeLast(30)));
        }
    }
}
