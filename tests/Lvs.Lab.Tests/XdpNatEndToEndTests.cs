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
public sealed class XdpNatEndToEndTests(XdpNatLabFixture fixture, ITestOutputHelper output)
    : NatVariantTests<XdpNatLabFixture>(fixture, output), IClassFixture<XdpNatLabFixture>
{
    private protected override string Variant => "--io xdp";

    [RootFact]
    public void Start_IoXdp_EveryServedInterfaceOnXdp()
    {
        string log = Lab.Lvsd!.Output;
        Output.WriteLine(log);
        Assert.Contains("xdp-native", log, StringComparison.Ordinal);
        Assert.DoesNotContain("XDP not available", log, StringComparison.Ordinal);
    }

    /// <summary>
    /// The same lab, lvsd restarted with --io packet and --io xdp in turn (two rounds each): new
    /// connections per second (wrk, Connection: close, 3 s) and a 100 MB download. Prints the
    /// figures; asserts only that both I/O paths served every request.
    /// </summary>
    [RootFact]
    public void Compare_PacketAndXdp_SameLabAlternating_RatesPrinted() =>
        Alternate(2, [["--io", "packet"], ["--io", "xdp"]], ["--io", "xdp"], (args, round) =>
        {
            var wrk = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(30),
                "wrk", "-t2", "-c20", "-d3s", "--timeout", "5s", "-H", "Connection: close", $"http://{NatLab.Vip}/");
            Assert.True(wrk.Succeeded, wrk.Describe());
            var parsed = WrkOutput.Parse(wrk.Stdout);
            Assert.Equal(0, parsed.SocketErrors);

            string target = Path.Combine(Lab.TempDirectory, $"cmp-{args[1]}-{round}.bin");
            var clock = Stopwatch.StartNew();
            var curl = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(100),
                "curl", "-sS", "--fail", "--max-time", "90", "-o", target, $"http://{NatLab.Vip}/big");
            double seconds = clock.Elapsed.TotalSeconds;
            Assert.True(curl.Succeeded, curl.Describe());
            Assert.Equal(XdpNatLabFixture.BigFileBytes, new FileInfo(target).Length);
            File.Delete(target);
            return $"--io {args[1],-6} round {round}: {parsed.Requests / 3.0,8:N0} conn/s (wrk -c20 Connection: close), " +
                $"100 MB download {XdpNatLabFixture.BigFileBytes / seconds / 1e6,6:N1} MB/s";
        });
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
