using System.Diagnostics;
using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>The NAT lab with lvsd started with <c>--io xdp</c>: its own XDP program and AF_XDP sockets.</summary>
public sealed class XdpNatLabFixture() : LabFixture<NatLab>(NatLab.Create, lab => lab.StartLvsd("--io", "xdp"));

/// <summary>
/// lvsd on AF_XDP in NAT mode between curl/wrk and nginx, in the lab's namespaces: the XDP
/// program must steer VIP traffic and the real servers' replies into the sockets, leave ARP and
/// the rest to the kernel, and the frames must leave with complete checksums (copy mode carries
/// no offload, so partial ones are finished in software).
/// </summary>
public sealed class XdpNatEndToEndTests : IClassFixture<XdpNatLabFixture>, IDisposable
{
    private static readonly TimeSpan PerRequestTimeout = TimeSpan.FromSeconds(5);

    private readonly XdpNatLabFixture _fixture;
    private readonly ITestOutputHelper _output;

    public XdpNatEndToEndTests(XdpNatLabFixture fixture, ITestOutputHelper output)
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
    public void Start_IoXdp_EveryServedInterfaceOnXdp()
    {
        string log = Lab.Lvsd!.Output;
        _output.WriteLine(log);
        Assert.Contains("xdp-native", log, StringComparison.Ordinal);
        Assert.DoesNotContain("XDP not available", log, StringComparison.Ordinal);
    }

    [RootFact]
    public void RoundRobin_32SequentialRequests_Split16And16()
    {
        Lab.AddService("rr", 1, 1);

        var results = HttpProbe.Sequential(Lab, 32, PerRequestTimeout, r => _output.WriteLine(r.ToString()));

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal([16, 16], HttpProbe.Tally(Lab, results).Select(t => t.Count));
    }

    [RootFact]
    public void Download100MB_ThroughXdp_ChecksumMatches()
    {
        Lab.AddService("rr", 1, 1);
        string target = Path.Combine(Lab.TempDirectory, "download-xdp.bin");
        var clock = Stopwatch.StartNew();
        using var curl = Lab.StartInNamespace("curl /big", Lab.ClientNamespace,
            "curl", "-sS", "--fail", "--max-time", "90", "-o", target, $"http://{NatLab.Vip}/big");
        bool finished = curl.WaitForExit(TimeSpan.FromSeconds(100));
        double seconds = clock.Elapsed.TotalSeconds;
        _output.WriteLine($"100 MB through lvsd --io xdp in {seconds:0.0} s ({XdpNatLabFixture.BigFileBytes / seconds / 1e6:0.0} MB/s)");

        Assert.True(finished, "download still running after 100 s");
        Assert.True(curl.ExitCode == 0, $"curl exited {curl.ExitCode}: {curl.Output}");
        Assert.Equal(XdpNatLabFixture.BigFileBytes, new FileInfo(target).Length);
        Assert.Equal(_fixture.BigFileSha256, XdpNatLabFixture.Sha256Of(target));
    }

    [RootFact]
    public void Wrk_20ConnectionsWithConnectionClose_NoSocketErrors()
    {
        Lab.AddService("rr", 1, 1);

        var result = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(40),
            "wrk", "-t2", "-c20", "-d5s", "--timeout", "5s", "-H", "Connection: close", $"http://{NatLab.Vip}/");
        _output.WriteLine(result.Stdout);

        Assert.True(result.Succeeded, result.Describe());
        var wrk = WrkOutput.Parse(result.Stdout);
        Assert.True(wrk.SocketErrors == 0, $"socket errors: {wrk}");
        Assert.True(wrk.Requests > 0, "wrk completed no request");
    }

    /// <summary>
    /// The same lab, lvsd restarted with --io packet and --io xdp in turn (two rounds each): new
    /// connections per second (wrk, Connection: close, 3 s) and a 100 MB download. Prints the
    /// figures; asserts only that both I/O paths served every request.
    /// </summary>
    [RootFact]
    public void Compare_PacketAndXdp_SameLabAlternating_RatesPrinted()
    {
        var lines = new List<string>();
        try
        {
            for (int round = 0; round < 2; round++)
            {
                foreach (string io in new[] { "packet", "xdp" })
                {
                    Lab.RestartLvsd("--io", io);
                    Lab.AddService("rr", 1, 1);
                    var wrk = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(30),
                        "wrk", "-t2", "-c20", "-d3s", "--timeout", "5s", "-H", "Connection: close", $"http://{NatLab.Vip}/");
                    Assert.True(wrk.Succeeded, wrk.Describe());
                    var parsed = WrkOutput.Parse(wrk.Stdout);
                    Assert.Equal(0, parsed.SocketErrors);

                    string target = Path.Combine(Lab.TempDirectory, $"cmp-{io}-{round}.bin");
                    var clock = Stopwatch.StartNew();
                    var curl = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(100),
                        "curl", "-sS", "--fail", "--max-time", "90", "-o", target, $"http://{NatLab.Vip}/big");
                    double seconds = clock.Elapsed.TotalSeconds;
                    Assert.True(curl.Succeeded, curl.Describe());
                    Assert.Equal(XdpNatLabFixture.BigFileBytes, new FileInfo(target).Length);
                    File.Delete(target);
                    lines.Add($"--io {io,-6} round {round}: {parsed.Requests / 3.0,8:N0} conn/s (wrk -c20 Connection: close), " +
                        $"100 MB download {XdpNatLabFixture.BigFileBytes / seconds / 1e6,6:N1} MB/s");
                }
            }
        }
        finally
        {
            Lab.RestartLvsd("--io", "xdp");
            lines.Add($"load average: {File.ReadAllText("/proc/loadavg").Trim()} on {Environment.ProcessorCount} CPUs");
            foreach (string line in lines)
            {
                _output.WriteLine(line);
                Console.WriteLine(line);
            }
        }
    }

    public void Dispose()
    {
        if (_fixture.Lab is { } lab)
        {
            lab.Lvsadm("-C");
        }
    }
}

/// <summary>The DR lab with lvsd on AF_XDP (<c>--io xdp</c>).</summary>
public sealed class XdpDrLabFixture() : DirectReturnLabFixture(options => DrLab.Create(options), "--io", "xdp");

/// <summary>Every DR end-to-end test, with lvsd on AF_XDP.</summary>
[Collection(DirectReturnCollection.Name)]
public sealed class XdpDrEndToEndTests(XdpDrLabFixture fixture, ITestOutputHelper output)
    : DirectReturnEndToEndTests(fixture, output), IClassFixture<XdpDrLabFixture>;

/// <summary>The TUN (IPIP) lab with lvsd on AF_XDP.</summary>
public sealed class XdpIpipLabFixture() : DirectReturnLabFixture(options => TunLab.Create(options, TunnelType.Ipip), "--io", "xdp");

/// <summary>Every TUN end-to-end test (IPIP), with lvsd on AF_XDP.</summary>
[Collection(DirectReturnCollection.Name)]
public sealed class XdpIpipEndToEndTests(XdpIpipLabFixture fixture, ITestOutputHelper output)
    : TunnelEndToEndTests(fixture, output), IClassFixture<XdpIpipLabFixture>;
