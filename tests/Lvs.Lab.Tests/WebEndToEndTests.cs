using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// lvsd --web in a NAT lab: /metrics scraped with curl inside the director namespace, after real
/// traffic, equals what lvsadm -L -n --stats reports for the same moment; the listener answers
/// only where it was told and refuses everything but GET and HEAD.
/// </summary>
public sealed class WebEndToEndTests : IClassFixture<WebLabFixture>, IDisposable
{
    private readonly WebLabFixture _fixture;
    private readonly ITestOutputHelper _output;

    public WebEndToEndTests(WebLabFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        _output = output;
        fixture.Lab?.Lvsadm("-C").EnsureSuccess();
    }

    private NatLab Lab => _fixture.Lab ?? throw new InvalidOperationException("lab not built");

    [RootFact]
    public void Metrics_AfterWrkTraffic_EqualLvsadmStatsOfTheSameMoment()
    {
        Lab.AddService("rr", 1, 3);
        var wrk = Task.Run(() => Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(30),
            "wrk", "-t1", "-c4", "-d4s", "--timeout", "3s", "-H", "Connection: close", $"http://{LabTopology.Vip}/"));
        try
        {
            // During traffic: the scrape works and already counts connections.
            Thread.Sleep(1500);
            ExecResult during = WebLabReading.Get(Lab, "/metrics", "--fail");
            Assert.True(during.Succeeded, during.Describe());
            Assert.True(WebLabReading.ParseMetrics(during.Stdout)["node_ipvs_connections_total"] > 0, during.Stdout);
        }
        finally
        {
            Assert.True(wrk.Wait(TimeSpan.FromSeconds(35)), "wrk still running after 35 s");
        }

        _output.WriteLine(wrk.Result.Stdout);
        Assert.True(wrk.Result.Succeeded, wrk.Result.Describe());

        // Traffic stopped: let the last FIN/ACKs pass, then read lvsadm, scrape, read lvsadm
        // again; both lvsadm readings agree, so the scrape saw the same moment.
        Thread.Sleep(1000);
        string before = Lab.Lvsadm("-L", "-n", "--stats", "--exact").EnsureSuccess().Stdout;
        ExecResult scrape = WebLabReading.Get(Lab, "/metrics", "--fail");
        string after = Lab.Lvsadm("-L", "-n", "--stats", "--exact").EnsureSuccess().Stdout;
        string list = Lab.Lvsadm("-L", "-n").EnsureSuccess().Stdout;
        _output.WriteLine(before);
        _output.WriteLine(scrape.Stdout);
        Assert.Equal(before, after);
        Assert.True(scrape.Succeeded, scrape.Describe());

        Dictionary<string, ulong> m = WebLabReading.ParseMetrics(scrape.Stdout);
        Dictionary<string, ulong[]> stats = WebLabReading.ParseStats(before);
        ulong[] svc = stats["TCP " + LabTopology.VipService];
        Assert.True(svc[0] > 10, $"too little traffic to compare: {svc[0]} connections");
        Assert.Equal(svc, new[]
        {
            m["node_ipvs_connections_total"], m["node_ipvs_incoming_packets_total"], m["node_ipvs_outgoing_packets_total"],
            m["node_ipvs_incoming_bytes_total"], m["node_ipvs_outgoing_bytes_total"],
        });
        foreach (RealServer rs in Lab.RealServers)
        {
            ulong[] row = stats[$"{rs.Address}:80"];
            Assert.Equal(row, new[]
            {
                m[WebLabReading.Backend("lvs_backend_connections_total", rs.Address)],
                m[WebLabReading.Backend("lvs_backend_incoming_packets_total", rs.Address)],
                m[WebLabReading.Backend("lvs_backend_outgoing_packets_total", rs.Address)],
                m[WebLabReading.Backend("lvs_backend_incoming_bytes_total", rs.Address)],
                m[WebLabReading.Backend("lvs_backend_outgoing_bytes_total", rs.Address)],
            });

            // -L -n: "  -> 10.0.0.11:80  Masq  1  ActiveConn  InActConn"
            string[] f = list.Split('\n').Single(l => l.Contains($"-> {rs.Address}:80", StringComparison.Ordinal))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(ulong.Parse(f[3]), m[WebLabReading.Backend("node_ipvs_backend_weight", rs.Address)]);
            Assert.Equal(ulong.Parse(f[4]), m[WebLabReading.Backend("node_ipvs_backend_connections_active", rs.Address)]);
            Assert.Equal(ulong.Parse(f[5]), m[WebLabReading.Backend("node_ipvs_backend_connections_inactive", rs.Address)]);
        }

        Assert.True(m["lvs_worker_packets_total{worker=\"0\"}"] >= svc[1] + svc[2], "the worker processed fewer frames than it forwarded");
    }

    [RootFact]
    public void Listener_UnknownPathAndPost_404And405()
    {
        Assert.Equal("404", WebLabReading.Get(Lab, "/nope", "-o", "/dev/null", "-w", "%{http_code}").Stdout.Trim());
        Assert.Equal("405", WebLabReading.Get(Lab, "/metrics", "-X", "POST", "-d", "x", "-o", "/dev/null", "-w", "%{http_code}").Stdout.Trim());
        Assert.Equal("200", WebLabReading.Get(Lab, "/", "-o", "/dev/null", "-w", "%{http_code}").Stdout.Trim());
    }

    [RootFact]
    public void Listener_FromTheClientNamespace_NotReachable()
    {
        // Bound to the director's loopback only: its outside address refuses (curl exit 7).
        ExecResult r = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(10),
            "curl", "-sS", "--max-time", "5", $"http://{NatLab.DirectorOutsideAddress}:9180/metrics");
        Assert.Equal(7, r.ExitCode);
    }

    public void Dispose()
    {
        if (_fixture.Lab is { } lab)
        {
            LabDiagnostics.Write(lab, _output);
        }
    }
}
