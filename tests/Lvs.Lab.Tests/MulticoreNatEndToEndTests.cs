using System.Diagnostics;
using System.Globalization;
using System.Net;
using Lvs.Lab;
using Lvs.Linux.PacketIO.Fanout;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>The NAT lab with lvsd started with <c>--workers 2</c>: two workers in one fanout group per interface.</summary>
public sealed class MulticoreNatLabFixture() : LabFixture<NatLab>(NatLab.Create, lab => lab.StartLvsd("--workers", "2"));

/// <summary>
/// lvsd with two workers in NAT mode: the fanout program must bring a connection's requests and its
/// real server's replies to the same worker, or the replies find no connection and are dropped.
/// </summary>
public sealed class MulticoreNatEndToEndTests : IClassFixture<MulticoreNatLabFixture>, IDisposable
{
    private static readonly TimeSpan PerRequestTimeout = TimeSpan.FromSeconds(5);

    private readonly MulticoreNatLabFixture _fixture;
    private readonly ITestOutputHelper _output;

    public MulticoreNatEndToEndTests(MulticoreNatLabFixture fixture, ITestOutputHelper output)
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
    public void RoundRobin_32SequentialRequests_Split16And16AndListedFromBothWorkers()
    {
        Lab.AddService("rr", 1, 1);

        var results = HttpProbe.Sequential(Lab, 32, PerRequestTimeout, r => _output.WriteLine(r.ToString()));

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal([16, 16], HttpProbe.Tally(Lab, results).Select(t => t.Count));

        // Every connection is listed (TIME_WAIT lasts long past the test), and the clients' ports
        // hash to both workers, so the listing gathered both workers' tables.
        string listing = Lab.Lvsadm("-L", "-n", "-c").EnsureSuccess().Stdout;
        _output.WriteLine(listing);
        var clientPorts = listing.Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && f[0] == "TCP" && f[3].StartsWith(NatLab.ClientAddress + ":", StringComparison.Ordinal))
            .Select(f => ushort.Parse(f[3][(NatLab.ClientAddress.Length + 1)..], CultureInfo.InvariantCulture))
            .ToList();
        Assert.True(clientPorts.Count >= 32, $"{clientPorts.Count} connections listed");
        uint client = (uint)IPAddress.NetworkToHostOrder(BitConverter.ToInt32(IPAddress.Parse(NatLab.ClientAddress).GetAddressBytes()));
        var byWorker = clientPorts.GroupBy(p => FanoutHash.WorkerOf(client, p, 2)).ToDictionary(g => g.Key, g => g.Count());
        _output.WriteLine($"connections by worker: {string.Join(", ", byWorker.OrderBy(k => k.Key).Select(k => $"{k.Key}: {k.Value}"))}");
        Assert.Equal(2, byWorker.Count);
    }

    [RootFact]
    public void Download100MB_TwoWorkers_ChecksumMatches()
    {
        Lab.AddService("rr", 1, 1);
        string target = Path.Combine(Lab.TempDirectory, "download-workers.bin");
        var clock = Stopwatch.StartNew();
        var curl = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(100),
            "curl", "-sS", "--fail", "--max-time", "90", "-o", target, $"http://{NatLab.Vip}/big");
        double seconds = clock.Elapsed.TotalSeconds;
        _output.WriteLine($"100 MB through lvsd --workers 2 in {seconds:0.0} s ({MulticoreNatLabFixture.BigFileBytes / seconds / 1e6:0.0} MB/s)");

        Assert.True(curl.Succeeded, curl.Describe());
        Assert.Equal(MulticoreNatLabFixture.BigFileBytes, new FileInfo(target).Length);
        Assert.Equal(_fixture.BigFileSha256, MulticoreNatLabFixture.Sha256Of(target));
        File.Delete(target);
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
    /// The same lab, lvsd restarted with --workers 1 and 2 in turn (three rounds): new connections
    /// per second (wrk, Connection: close). Prints the figures; asserts only that every request was served.
    /// </summary>
    [RootFact]
    public void Compare_OneAndTwoWorkers_SameLabAlternating_RatesPrinted()
    {
        var lines = new List<string>();
        try
        {
            for (int round = 0; round < 3; round++)
            {
                foreach (string workers in new[] { "1", "2" })
                {
                    // TIME_WAIT sockets of the last phase would refuse reused client ports (LINUX-NOTES.md).
                    foreach (string ns in Lab.RealServers.Select(r => r.Namespace).Append(Lab.ClientNamespace))
                    {
                        Lab.Exec(ns, TimeSpan.FromSeconds(10), "ss", "-K", "-t", "state", "time-wait");
                    }

                    Lab.RestartLvsd("--workers", workers);
                    Lab.AddService("rr", 1, 1);
                    var wrk = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(30),
                        "wrk", "-t2", "-c40", "-d5s", "--timeout", "5s", "-H", "Connection: close", $"http://{NatLab.Vip}/");
                    Assert.True(wrk.Succeeded, wrk.Describe());
                    var parsed = WrkOutput.Parse(wrk.Stdout);
                    Assert.Equal(0, parsed.SocketErrors);
                    lines.Add($"--workers {workers} round {round}: {parsed.Requests / 5.0,8:N0} conn/s (wrk -t2 -c40 -d5s, Connection: close)");
                }
            }
        }
        finally
        {
            Lab.RestartLvsd("--workers", "2");
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

/// <summary>The dual-stack NAT lab with lvsd --workers 2.</summary>
public sealed class Ipv6MulticoreNatLabFixture() : LabFixture<NatLab>(NatLab.Create, lab => lab.StartLvsd("--workers", "2"));

/// <summary>
/// Every IPv6 NAT end-to-end test with two workers: the fanout program compares the real servers'
/// full IPv6 addresses and hashes the client's last 32 bits.
/// </summary>
[Collection(Ipv6Collection.Name)]
public sealed class Ipv6MulticoreNatEndToEndTests(Ipv6MulticoreNatLabFixture fixture, ITestOutputHelper output)
    : Ipv6EndToEndTests<NatLab>(fixture, output), IClassFixture<Ipv6MulticoreNatLabFixture>
{
    private protected override long RoutedReplies() => 0;

    private protected override void AssertReplyPath(ServiceStats stats, long routed, long minimumReplies) =>
        Assert.True(stats.OutPackets >= minimumReplies, $"the director forwarded only {stats.OutPackets} replies; in NAT all pass it");

    private protected override void AssertOutPacketsDuring(IReadOnlyList<long> samples) =>
        Assert.Equal(samples.Order(), samples);
}
