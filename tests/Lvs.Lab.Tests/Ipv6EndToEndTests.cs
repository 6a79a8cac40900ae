using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// Issue 4's acceptance for IPv6: lvsd forwarding TCP for <c>[2001:db8:a::1]:80</c> by NAT, DR
/// and TUN (ip6ip6) between curl in the client namespace and nginx on the real servers' IPv6
/// addresses, driven by our own lvsadm. Each test starts from a fresh rr service over two
/// servers; NAT replies must pass the director, DR and TUN replies must not (OutPkts 0, and the
/// router counts IPv6 replies from the real servers' network).
/// </summary>
public abstract class Ipv6EndToEndTests<TLab> : IDisposable
    where TLab : LabTopology
{
    private static readonly TimeSpan PerRequestTimeout = TimeSpan.FromSeconds(5);

    // Client ports of each test's own (see DirectReturnEndToEndTests: lingering FIN_WAIT entries
    // of an earlier test must not catch a new SYN).
    private static readonly string[] RoundRobinPorts = ["--local-port", "61000-61199"];
    private static readonly string[] DownloadPorts = ["--local-port", "61200-61299"];
    private static readonly string[] FlushPorts = ["--local-port", "61400-61499"];

    private readonly LabFixture<TLab> _fixture;

    private protected Ipv6EndToEndTests(LabFixture<TLab> fixture, ITestOutputHelper output)
    {
        _fixture = fixture;
        Output = output;
        if (fixture.Lab is { } lab)
        {
            lab.Lvsadm("-C").EnsureSuccess();
            lab.AddService6("rr", 1, 1);
        }
    }

    private protected ITestOutputHelper Output { get; }

    private protected TLab Lab => _fixture.Lab ?? throw new InvalidOperationException("lab not built");

    [RootFact]
    public void RoundRobinOverIpv6_32SequentialRequests_Split16And16()
    {
        long routedBefore = RoutedReplies();

        var results = HttpProbe.SequentialTo(Lab, LabTopology.Vip6Url(), 32, PerRequestTimeout,
            r => Output.WriteLine(r.ToString()), RoundRobinPorts);

        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal([16, 16], HttpProbe.Tally(Lab, results).Select(t => t.Count));
        var stats = Lab.ReadServiceStats6();
        long routed = RoutedReplies() - routedBefore;
        Output.WriteLine($"{stats}; router forwarded {routed} IPv6 replies");
        Assert.Equal(32, stats.Connections);
        AssertReplyPath(stats, routed, minimumReplies: 3 * 32);
    }

    /// <summary>
    /// The director's kernel forgets every IPv6 neighbour (as after a reboot of a peer or a long
    /// idle time): lvsd must resolve the clients and real servers again on its own, promptly —
    /// not wait for a peer's neighbour probe (seconds) to teach the kernel by chance.
    /// </summary>
    [RootFact]
    public void RoundRobinOverIpv6_DirectorNeighboursFlushed_NoPacketWaitsForANeighbour()
    {
        long unresolvedBefore = LabDiagnostics.DropCount(Lab, "neighbour-unresolved");
        Lab.Exec(Lab.DirectorNamespace, "ip", "-6", "neigh", "flush", "all").EnsureSuccess();
        Thread.Sleep(500); // lvsd hears of the flush by rtnetlink events and asks for the real servers' next hops again
        var clock = Stopwatch.StartNew();
        var results = HttpProbe.SequentialTo(Lab, LabTopology.Vip6Url(), 4, PerRequestTimeout,
            r => Output.WriteLine($"{r} at {clock.Elapsed.TotalSeconds:0.00} s"), FlushPorts);
        Output.WriteLine(Lab.Exec(Lab.DirectorNamespace, "ip", "-6", "neigh", "show").Stdout);

        Output.WriteLine(Lab.Exec(Lab.DirectorNamespace, "ip", "-s", "link", "show", "eth0").Stdout);

        Assert.All(results, r => Assert.Null(r.Error));
        // Not one frame was dropped for want of a MAC: the next hops were known again before the first
        // SYN. (The counter, not the clock: a loaded machine can add a retransmission of its own.)
        Assert.Equal(unresolvedBefore, LabDiagnostics.DropCount(Lab, "neighbour-unresolved"));
    }

    [RootFact]
    public void Download100MBOverIpv6_ChecksumMatches()
    {
        string target = Path.Combine(Lab.TempDirectory, "download6.bin");
        long routedBefore = RoutedReplies();
        var clock = Stopwatch.StartNew();
        try
        {
            using var curl = Lab.StartInNamespace("curl -g /big", Lab.ClientNamespace,
                ["curl", "-g", "-sS", "--fail", "--max-time", "60", .. DownloadPorts, "-o", target, LabTopology.Vip6Url("/big")]);
            // OutPkts sampled during the transfer too, not only after it.
            var outDuring = new List<long>();
            while (!curl.WaitForExit(TimeSpan.FromMilliseconds(250)) && clock.Elapsed < TimeSpan.FromSeconds(70))
            {
                outDuring.Add(Lab.ReadServiceStats6().OutPackets);
            }

            var stats = Lab.ReadServiceStats6();
            long routed = RoutedReplies() - routedBefore;
            Output.WriteLine($"download took {clock.Elapsed.TotalSeconds:0.0} s; {stats}; OutPkts during it: {string.Join(' ', outDuring)}; router forwarded {routed} IPv6 replies");

            Assert.True(curl.HasExited, "download still running after 70 s");
            Assert.True(curl.ExitCode == 0, $"curl exited {curl.ExitCode}: {curl.Output}");
            Assert.Equal(LabFixture<TLab>.BigFileBytes, new FileInfo(target).Length);
            Assert.Equal(_fixture.BigFileSha256, RandomFile.Sha256Of(target));
            // The client's ACKs went through the director in every method.
            Assert.True(stats.InPackets > 50, $"the director forwarded only {stats.InPackets} client packets");
            AssertReplyPath(stats, routed, minimumReplies: 1000);
            AssertOutPacketsDuring(outDuring);
        }
        finally
        {
            File.Delete(target);
        }
    }

    public void Dispose()
    {
        if (_fixture.Lab is { } lab)
        {
            LabDiagnostics.Write(lab, Output);
            if (lab is DirectReturnLab direct)
            {
                foreach (var agent in direct.Agents)
                {
                    string state = agent.HasExited ? $"died with exit code {agent.ExitCode}" : "running";
                    Output.WriteLine($"{agent.Name} {state}; last lines of its log:");
                    Output.WriteLine(string.Join('\n', agent.Output.Split('\n').TakeLast(10)));
                }
            }
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>IPv6 replies the router counted (0 for NAT, which has no router).</summary>
    private protected abstract long RoutedReplies();

    /// <summary>
    /// Where the replies must have gone, given the service's counters and the router's count:
    /// at least <paramref name="minimumReplies"/> reply packets through the director (NAT) or
    /// the router (DR, TUN).
    /// </summary>
    private protected abstract void AssertReplyPath(ServiceStats stats, long routed, long minimumReplies);

    /// <summary>What the service's OutPkts may have been while a transfer ran.</summary>
    private protected abstract void AssertOutPacketsDuring(IReadOnlyList<long> samples);
}

/// <summary>NAT over IPv6: fd00::/64 real servers behind the director, replies rewritten by it.</summary>
[Collection(Ipv6Collection.Name)]
public sealed class Ipv6NatEndToEndTests(Ipv6NatLabFixture fixture, ITestOutputHelper output)
    : Ipv6NatEndToEndTestsBase(fixture, output), IClassFixture<Ipv6NatLabFixture>;

/// <summary>What every IPv6 NAT variant runs (AF_PACKET, AF_XDP): the shared tests and a UDP service.</summary>
public abstract class Ipv6NatEndToEndTestsBase(LabFixture<NatLab> fixture, ITestOutputHelper output)
    : Ipv6EndToEndTests<NatLab>(fixture, output)
{
    [DnsFact]
    public void UdpServiceOverIpv6_QueriesFromFreshPorts_AnsweredThroughVipByBothServers()
    {
        Lab.Lvsadm("-A", "-u", LabTopology.Vip6DnsService, "-s", "rr").EnsureSuccess();
        foreach (var rs in Lab.RealServers)
        {
            Lab.Lvsadm("-a", "-u", LabTopology.Vip6DnsService, "-r", $"[{rs.Address6}]:{LabTopology.DnsPort}", "-m", "-w", "1")
                .EnsureSuccess();
        }

        var names = new List<string?>();
        for (int i = 0; i < 4; i++)
        {
            // dig takes an answer only from [VIP6]:53, the address it asked.
            var dig = Lab.DigFromClient(LabTopology.Vip6, LabTopology.ClientAddress6, sourcePort: null, TimeSpan.FromSeconds(2));
            Output.WriteLine(dig.Describe());
            names.Add(dig.Succeeded ? LabTopology.ParseTxt(dig.Stdout) : null);
        }

        // A new ephemeral port per dig, so a new UDP connection each: rr over rs2 rs1 (newest first).
        Assert.Equal(["rs2", "rs1", "rs2", "rs1"], names);
    }

    private protected override long RoutedReplies() => 0;

    private protected override void AssertReplyPath(ServiceStats stats, long routed, long minimumReplies) =>
        Assert.True(stats.OutPackets >= minimumReplies, $"the director forwarded only {stats.OutPackets} replies; in NAT all pass it");

    // A counter: it never goes back while the replies stream through the director.
    private protected override void AssertOutPacketsDuring(IReadOnlyList<long> samples) =>
        Assert.Equal(samples.Order(), samples);
}

/// <summary>DR over IPv6: the director changes only the destination MAC; replies bypass it.</summary>
[Collection(Ipv6Collection.Name)]
public sealed class Ipv6DrEndToEndTests(Ipv6DrLabFixture fixture, ITestOutputHelper output)
    : Ipv6DirectReturnEndToEndTests(fixture, output), IClassFixture<Ipv6DrLabFixture>;

/// <summary>
/// TUN over IPv6: ip6ip6 to the real servers, decapsulated by lvs-agent; replies bypass the
/// director. Full-size client segments no longer fit once wrapped (40 more bytes on 1500-byte
/// links), so the director must answer them with ICMPv6 Packet Too Big.
/// </summary>
[Collection(Ipv6Collection.Name)]
public sealed partial class Ipv6IpipEndToEndTests(Ipv6IpipLabFixture fixture, ITestOutputHelper output)
    : Ipv6DirectReturnEndToEndTests(fixture, output), IClassFixture<Ipv6IpipLabFixture>
{
    [RootFact]
    public void Upload20MBOverIpv6FullSizeSegments_PacketTooBigFromDirector_PathMtuConvergesAndBodyArrivesIntact()
    {
        string upload = Path.Combine(Lab.TempDirectory, "upload6.bin");
        string sha = RandomFile.Write(upload, 20 << 20);
        try
        {
            Lab.Exec(Lab.ClientNamespace, "ip", "-6", "route", "flush", "cache").EnsureSuccess();
            var result = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(70),
                "curl", "-g", "-sS", "--max-time", "60", "--local-port", "61300-61399", "-o", "/dev/null", "-w", "%{http_code}",
                "-T", upload, LabTopology.Vip6Url(NginxConfig.UploadPath("upload6.bin")));
            string route = Lab.Exec(Lab.ClientNamespace, "ip", "-6", "route", "get", LabTopology.Vip6).Stdout;
            Output.WriteLine($"curl: {result.Describe()}\nclient's route to the VIP: {route}");

            Assert.True(result.Succeeded, result.Describe());
            Assert.Matches("^2[0-9][0-9]$", result.Stdout.Trim());
            string file = Assert.Single(
                Lab.RealServers.Select(rs => NginxConfig.UploadedFile(Lab.ServerDirectory(rs), "upload6.bin")), File.Exists);
            Assert.Equal(sha, RandomFile.Sha256Of(file));
            // The director's ICMPv6 reached the client: its route now carries the tunnel's MTU
            // (at least IPv6's minimum, 1280).
            var mtu = RouteMtu().Match(route);
            Assert.True(mtu.Success, "the client learned no path MTU: " + route);
            Assert.InRange(int.Parse(mtu.Groups[1].Value, CultureInfo.InvariantCulture), 1280, 1499);
            Assert.Equal(0, Lab.ReadServiceStats6().OutPackets);
        }
        finally
        {
            File.Delete(upload);
        }
    }

    [GeneratedRegex(@"\bmtu (\d+)")]
    private static partial Regex RouteMtu();
}

/// <summary>What DR and TUN share over IPv6: the replies' path.</summary>
public abstract class Ipv6DirectReturnEndToEndTests(DirectReturnLabFixture fixture, ITestOutputHelper output)
    : Ipv6EndToEndTests<DirectReturnLab>(fixture, output)
{
    private protected override long RoutedReplies() => Lab.Ipv6RepliesForwardedByRouter();

    private protected override void AssertReplyPath(ServiceStats stats, long routed, long minimumReplies)
    {
        Assert.Equal(0, stats.OutPackets);
        Assert.Equal(0, stats.OutBytes);
        Assert.True(routed >= minimumReplies, $"the router forwarded only {routed} IPv6 replies from the real servers");
    }

    // At no point does the director forward anything of the reply direction.
    private protected override void AssertOutPacketsDuring(IReadOnlyList<long> samples) =>
        Assert.All(samples, o => Assert.Equal(0, o));
}
