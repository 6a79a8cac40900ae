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
public sealed class MulticoreNatEndToEndTests(MulticoreNatLabFixture fixture, ITestOutputHelper output)
    : NatVariantTests<MulticoreNatLabFixture>(fixture, output), IClassFixture<MulticoreNatLabFixture>
{
    private protected override string Variant => "--workers 2";

    [RootFact]
    public void Listing_After32Requests_ConnectionsFromBothWorkers()
    {
        Lab.AddService("rr", 1, 1);
        Assert.All(Sequential32(), r => Assert.Null(r.Error));

        // Every connection is listed (TIME_WAIT lasts long past the test), and the clients' ports
        // hash to both workers, so the listing gathered both workers' tables.
        string listing = Lab.Lvsadm("-L", "-n", "-c").EnsureSuccess().Stdout;
        Output.WriteLine(listing);
        var clientPorts = listing.Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 6 && f[0] == "TCP" && f[3].StartsWith(NatLab.ClientAddress + ":", StringComparison.Ordinal))
            .Select(f => ushort.Parse(f[3][(NatLab.ClientAddress.Length + 1)..], CultureInfo.InvariantCulture))
            .ToList();
        Assert.True(clientPorts.Count >= 32, $"{clientPorts.Count} connections listed");
        uint client = (uint)IPAddress.NetworkToHostOrder(BitConverter.ToInt32(IPAddress.Parse(NatLab.ClientAddress).GetAddressBytes()));
        var byWorker = clientPorts.GroupBy(p => FanoutHash.WorkerOf(client, p, 2)).ToDictionary(g => g.Key, g => g.Count());
        Output.WriteLine($"connections by worker: {string.Join(", ", byWorker.OrderBy(k => k.Key).Select(k => $"{k.Key}: {k.Value}"))}");
        Assert.Equal(2, byWorker.Count);
    }

    /// <summary>
    /// ipvsadm -p with two workers: the client's connections come from many ports, which hash to
    /// both workers by default; with a persistent service the fanout hashes the client network
    /// only, so the one template decides every connection.
    /// </summary>
    [RootFact]
    public void Persistent_32SequentialRequests_AllOnOneServer()
    {
        Lab.Lvsadm("-A", "-t", NatLab.VipService, "-s", "rr", "-p", "60").EnsureSuccess();
        foreach (var rs in Lab.RealServers.Take(2))
        {
            Lab.Lvsadm(["-a", "-t", NatLab.VipService, "-r", $"{rs.Address}:80", "-m", "-w", "1"]).EnsureSuccess();
        }

        var results = Sequential32();

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Contains(32, HttpProbe.Tally(Lab, results).Select(t => t.Count));
    }

    /// <summary>
    /// Adding the first persistent service changes what the fanout hashes, and deleting it changes
    /// it back: established connections whose client now hashes to the other worker are handed
    /// over, so four downloads spanning both changes complete with the right bytes.
    /// </summary>
    [RootFact]
    public void FanoutKeyChange_DuringDownloads_ConnectionsHandedOverAndComplete()
    {
        Lab.AddService("rr", 1, 1);
        string persistent = $"{NatLab.Vip}:443";
        var downloads = Enumerable.Range(0, 4).Select(i =>
        {
            string target = Path.Combine(Lab.TempDirectory, $"rehome-{i}.bin");
            var curl = Lab.StartInNamespace($"curl-rehome-{i}", Lab.ClientNamespace,
                "curl", "-sS", "--fail", "--max-time", "60", "--limit-rate", "15M", "-o", target, $"http://{NatLab.Vip}/big");
            return (target, curl);
        }).ToList();
        try
        {
            Thread.Sleep(1500);
            Lab.Lvsadm("-A", "-t", persistent, "-s", "rr", "-p", "30").EnsureSuccess();
            Thread.Sleep(1500);
            Lab.Lvsadm("-D", "-t", persistent).EnsureSuccess();

            foreach (var (target, curl) in downloads)
            {
                Assert.True(curl.WaitForExit(TimeSpan.FromSeconds(70)), "curl did not finish");
                Assert.True(curl.ExitCode == 0, $"curl exit {curl.ExitCode}: {curl.Output}");
                Assert.Equal(Fixture.BigFileSha256, LabFixture<NatLab>.Sha256Of(target));
            }

            string log = Lab.Lvsd!.Output;
            var moved = log.Split('\n').Where(l => l.Contains("fanout key changed", StringComparison.Ordinal)).ToList();
            Output.WriteLine(string.Join('\n', moved));
            Assert.Equal(2, moved.Count);
        }
        finally
        {
            foreach (var (target, curl) in downloads)
            {
                curl.Dispose();
                File.Delete(target);
            }
        }
    }

    /// <summary>
    /// The same lab, lvsd restarted with --workers 1 and 2 in turn (three rounds): new connections
    /// per second (wrk, Connection: close). Prints the figures; asserts only that every request was served.
    /// </summary>
    [RootFact]
    public void Compare_OneAndTwoWorkers_SameLabAlternating_RatesPrinted() =>
        Alternate(3, [["--workers", "1"], ["--workers", "2"]], ["--workers", "2"], (args, round) =>
        {
            // TIME_WAIT sockets of the last phase would refuse reused client ports (LINUX-NOTES.md).
            foreach (string ns in Lab.RealServers.Select(r => r.Namespace).Append(Lab.ClientNamespace))
            {
                Lab.Exec(ns, TimeSpan.FromSeconds(10), "ss", "-K", "-t", "state", "time-wait");
            }

            var wrk = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(30),
                "wrk", "-t2", "-c40", "-d5s", "--timeout", "5s", "-H", "Connection: close", $"http://{NatLab.Vip}/");
            Assert.True(wrk.Succeeded, wrk.Describe());
            var parsed = WrkOutput.Parse(wrk.Stdout);
            Assert.Equal(0, parsed.SocketErrors);

            return $"--workers {args[1]} round {round}: {parsed.Requests / 5.0,8:N0} conn/s (wrk -t2 -c40 -d5s, Connection: close)";
        });
}

/// <summary>The dual-stack NAT lab with lvsd --workers 2.</summary>
public sealed class Ipv6MulticoreNatLabFixture() : LabFixture<NatLab>(NatLab.Create, lab => lab.StartLvsd("--workers", "2"));

/// <summary>
/// Every IPv6 NAT end-to-end test with two workers: the fanout program compares the real servers'
/// full IPv6 addresses and hashes the client address folded to 32 bits.
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
