using System.Diagnostics;
using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// lvsd in DR or TUN mode between real curl/wrk clients and real nginx servers running
/// lvs-agent, driven by our own lvsadm. Besides "it works", every test checks where the
/// replies went: the director forwards none (the service's OutPkts stays 0, as ipvsadm shows
/// for DR and TUN) and the router saw them come from the real servers' network.
/// </summary>
public abstract class DirectReturnEndToEndTests : IDisposable
{
    private static readonly TimeSpan PerRequestTimeout = TimeSpan.FromSeconds(5);

    // The director sees only the client's side, so after a test its entries stay in FIN_WAIT
    // for ip_vs's 2 minutes, and a SYN that reuses such a client port goes to that entry's old
    // server (conn_reuse_mode 1 reschedules only TIME_WAIT for DR and TUN), counted on the old,
    // cleared service. wrk alone cycles through the whole ephemeral range (32768-60999), so each
    // test that counts or splits takes client ports of its own above it.
    private protected static readonly string[] RoundRobinPorts = ["--local-port", "61000-61199"];
    private protected static readonly string[] DownloadPorts = ["--local-port", "61200-61299"];
    private protected static readonly string[] UploadPorts = ["--local-port", "61300-61399"];
    private protected static readonly string[] FlushPorts = ["--local-port", "61400-61499"];

    private readonly DirectReturnLabFixture _fixture;

    private protected DirectReturnEndToEndTests(DirectReturnLabFixture fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        Output = output;
        if (fixture.Lab is { } lab)
        {
            // A fresh service per test: its counters start at 0.
            lab.Lvsadm("-C").EnsureSuccess();
            lab.AddService("rr", 1, 1);
        }
    }

    private protected ITestOutputHelper Output { get; }

    private protected DirectReturnLab Lab => _fixture.Lab ?? throw new InvalidOperationException("lab not built");

    private protected string Url(string path) => $"http://{LabTopology.Vip}{path}";

    [RootFact]
    public void RoundRobin_32SequentialRequests_Split16And16RepliesBypassDirector()
    {
        long routedBefore = Lab.RepliesForwardedByRouter();

        var results = HttpProbe.Sequential(Lab, 32, PerRequestTimeout, r => Output.WriteLine(r.ToString()), RoundRobinPorts);

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal([16, 16], HttpProbe.Tally(Lab, results).Select(t => t.Count));
        var stats = Lab.ReadServiceStats();
        Output.WriteLine($"{stats}; router forwarded {Lab.RepliesForwardedByRouter() - routedBefore} replies");
        Assert.Equal(32, stats.Connections);
        Assert.Equal(0, stats.OutPackets);
        // Each answer is at least a SYN-ACK, the response and a FIN, all by way of the router.
        Assert.True(Lab.RepliesForwardedByRouter() - routedBefore >= 3 * 32, "the router did not forward the replies");
    }

    /// <summary>
    /// The director's kernel forgets every ARP entry: lvsd hears it by rtnetlink and asks for the
    /// real servers' next hops again at once, so no packet is dropped waiting for one (a dropped
    /// SYN would cost the client a 1 s retransmission).
    /// </summary>
    [RootFact]
    public void RoundRobin_DirectorArpFlushed_NoPacketWaitsForANeighbour()
    {
        long unresolvedBefore = LabDiagnostics.DropCount(Lab, "neighbour-unresolved");
        Lab.Exec(Lab.DirectorNamespace, "ip", "-4", "neigh", "flush", "all").EnsureSuccess();
        Thread.Sleep(500);
        var clock = Stopwatch.StartNew();
        var results = HttpProbe.Sequential(Lab, 4, PerRequestTimeout,
            r => Output.WriteLine($"{r} at {clock.Elapsed.TotalSeconds:0.00} s"), FlushPorts);
        Output.WriteLine(Lab.Exec(Lab.DirectorNamespace, "ip", "-4", "neigh", "show").Stdout);

        Output.WriteLine(Lab.Exec(Lab.DirectorNamespace, "ip", "-s", "link", "show", "eth0").Stdout);

        Assert.All(results, r => Assert.Null(r.Error));
        // The drop counter, not the clock: a loaded machine can delay a request by a retransmission
        // for reasons of its own, but every frame lvsd could not send for want of a MAC is counted here.
        Assert.Equal(unresolvedBefore, LabDiagnostics.DropCount(Lab, "neighbour-unresolved"));
    }

    [RootFact]
    public void Wrk_20ConnectionsWithConnectionClose_NoSocketErrorsNoBadResponses()
    {
        var result = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(40),
            "wrk", "-t2", "-c20", "-d10s", "--timeout", "5s", "-H", "Connection: close", Url("/"));
        Output.WriteLine(result.Stdout);

        Assert.True(result.Succeeded, result.Describe());
        var wrk = WrkOutput.Parse(result.Stdout);
        Assert.True(wrk.SocketErrors == 0, $"socket errors: {wrk}");
        Assert.Equal(0, wrk.Non2xx3xx);
        Assert.True(wrk.Requests > 0, "wrk completed no request");
        var stats = Lab.ReadServiceStats();
        Output.WriteLine(stats.ToString());
        Assert.Equal(0, stats.OutPackets);
    }

    [RootFact]
    public void Download100MB_DirectorTransmitsNoReplyPacket_ChecksumMatches()
    {
        string target = Path.Combine(Lab.TempDirectory, "download.bin");
        long routedBefore = Lab.RepliesForwardedByRouter();
        var clock = Stopwatch.StartNew();
        try
        {
            using var curl = Lab.StartInNamespace("curl /big", Lab.ClientNamespace,
                ["curl", "-sS", "--fail", "--max-time", "60", .. DownloadPorts, "-o", target, Url("/big")]);
            // Sampled during the transfer, not only after it: at no point does the director
            // forward anything of the reply direction.
            var outSeen = new List<long>();
            while (!curl.WaitForExit(TimeSpan.FromMilliseconds(250)) && clock.Elapsed < TimeSpan.FromSeconds(70))
            {
                outSeen.Add(Lab.ReadServiceStats().OutPackets);
            }

            var stats = Lab.ReadServiceStats();
            long routed = Lab.RepliesForwardedByRouter() - routedBefore;
            Output.WriteLine($"download took {clock.Elapsed.TotalSeconds:0.0} s; {stats}; {outSeen.Count} samples during it; router forwarded {routed} replies");

            Assert.True(curl.HasExited, "download still running after 70 s");
            Assert.True(curl.ExitCode == 0, $"curl exited {curl.ExitCode}: {curl.Output}");
            Assert.Equal(DirectReturnLabFixture.BigFileBytes, new FileInfo(target).Length);
            Assert.Equal(_fixture.BigFileSha256, RandomFile.Sha256Of(target));
            Assert.All(outSeen, o => Assert.Equal(0, o));
            Assert.Equal(0, stats.OutPackets);
            Assert.Equal(0, stats.OutBytes);
            // The client's ACKs did go through the director, and 100 MB of replies through the router.
            Assert.True(stats.InPackets > 50, $"the director forwarded only {stats.InPackets} client packets");
            Assert.True(routed > 1000, $"the router forwarded only {routed} reply packets");
        }
        finally
        {
            File.Delete(target);
        }
    }

    public void Dispose()
    {
        if (_fixture.Lab is not { } lab)
        {
            return;
        }

        // The drop counters and the logs explain most failures of the data path.
        var drops = lab.Lvsadm("-L", "--drops");
        Output.WriteLine("$ lvsadm -L --drops");
        Output.WriteLine(drops.Succeeded ? drops.Stdout : drops.Describe());
        var processes = new List<LabProcess>(lab.Agents);
        if (lab.Lvsd is { } lvsd)
        {
            processes.Insert(0, lvsd);
        }

        foreach (var process in processes)
        {
            string state = process.HasExited ? $"died with exit code {process.ExitCode}" : "running";
            Output.WriteLine($"{process.Name} {state}; last lines of its log:");
            Output.WriteLine(string.Join('\n', process.Output.Split('\n').TakeLast(process == lab.Lvsd ? 30 : 10)));
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>DR end to end.</summary>
[Collection(DirectReturnCollection.Name)]
public sealed class DrEndToEndTests(DrLabFixture fixture, ITestOutputHelper output)
    : DirectReturnEndToEndTests(fixture, output), IClassFixture<DrLabFixture>;
