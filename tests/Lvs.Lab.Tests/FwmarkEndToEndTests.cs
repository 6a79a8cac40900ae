using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// A fwmark service (ipvsadm -f) whose mark comes from an nftables marking rule the operator
/// wrote in the director's namespace (table ip lvs_fwmark), which lvsd reads and evaluates.
/// </summary>
public abstract class FwmarkEndToEndTests<TFixture>(TFixture fixture, ITestOutputHelper output)
    where TFixture : LabFixture<NatLab>
{
    private static readonly TimeSpan PerRequestTimeout = TimeSpan.FromSeconds(5);

    private NatLab Lab => fixture.Lab ?? throw new InvalidOperationException("lab not built");

    /// <summary>Checks lvsd's log for the I/O the variant is about (nothing to check by default).</summary>
    private protected virtual void AssertIo(string lvsdLog)
    {
    }

    [RootFact]
    public void FwmarkService_MarkedByNftRule_32RequestsSplit16And16()
    {
        Lab.Lvsadm("-C").EnsureSuccess();
        string ns = Lab.DirectorNamespace;
        Lab.Exec(ns, "nft", "add", "table", "ip", "lvs_fwmark").EnsureSuccess();
        Lab.Exec(ns, "nft", "add", "chain", "ip", "lvs_fwmark", "marks").EnsureSuccess();
        Lab.Exec(ns, "nft", "add", "rule", "ip", "lvs_fwmark", "marks", "ip", "daddr", NatLab.Vip, "tcp", "dport", "80", "meta", "mark", "set", "1")
            .EnsureSuccess();
        try
        {
            Lab.Lvsadm("-A", "-f", "1", "-s", "rr").EnsureSuccess();
            foreach (RealServer rs in Lab.RealServers)
            {
                Lab.Lvsadm("-a", "-f", "1", "-r", rs.Address, "-m", "-w", "1").EnsureSuccess();
            }

            output.WriteLine(Lab.Lvsadm("-L", "-n").Stdout);
            var results = HttpProbe.Sequential(Lab, 32, PerRequestTimeout, r => output.WriteLine(r.ToString()));

            Assert.All(results, r => Assert.Null(r.Error));
            Assert.Equal([16, 16], HttpProbe.Tally(Lab, results).Select(t => t.Count));
            Assert.Contains("FWM  1 rr", Lab.Lvsadm("-L", "-n").EnsureSuccess().Stdout);
            AssertIo(Lab.Lvsd!.Output);
        }
        finally
        {
            output.WriteLine(Lab.Lvsadm("-L", "--drops").Stdout);
            Lab.Lvsadm("-C");
            Lab.Exec(ns, "nft", "delete", "table", "ip", "lvs_fwmark");
        }
    }

    /// <summary>
    /// An IPv6 fwmark service (<c>-f 2 -6</c>) marked by a rule of <c>table ip6 lvs_fwmark</c>,
    /// NAT to the real servers' fd00:: addresses.
    /// </summary>
    [RootFact]
    public void FwmarkService6_MarkedByNftRule_32RequestsSplit16And16()
    {
        Lab.Lvsadm("-C").EnsureSuccess();
        string ns = Lab.DirectorNamespace;
        Lab.Exec(ns, "nft", "add", "table", "ip6", "lvs_fwmark").EnsureSuccess();
        Lab.Exec(ns, "nft", "add", "chain", "ip6", "lvs_fwmark", "marks").EnsureSuccess();
        Lab.Exec(ns, "nft", "add", "rule", "ip6", "lvs_fwmark", "marks", "ip6", "daddr", "2001:db8:a::/64", "tcp", "dport", "80-81", "meta", "mark", "set", "2")
            .EnsureSuccess();
        try
        {
            Lab.Lvsadm("-A", "-f", "2", "-6", "-s", "rr").EnsureSuccess();
            foreach (RealServer rs in Lab.RealServers)
            {
                Lab.Lvsadm("-a", "-f", "2", "-6", "-r", rs.Address6!, "-m", "-w", "1").EnsureSuccess();
            }

            output.WriteLine(Lab.Lvsadm("-L", "-n").Stdout);
            var results = HttpProbe.SequentialTo(Lab, LabTopology.Vip6Url(), 32, PerRequestTimeout,
                r => output.WriteLine(r.ToString()), ["--local-port", "62000-62199"]);

            Assert.All(results, r => Assert.Null(r.Error));
            Assert.Equal([16, 16], HttpProbe.Tally(Lab, results).Select(t => t.Count));
            AssertIo(Lab.Lvsd!.Output);
        }
        finally
        {
            output.WriteLine(Lab.Lvsadm("-L", "--drops").Stdout);
            Lab.Lvsadm("-C");
            Lab.Exec(ns, "nft", "delete", "table", "ip6", "lvs_fwmark");
        }
    }
}

/// <summary>The fwmark service with lvsd on AF_PACKET (the default I/O).</summary>
public sealed class FwmarkEndToEndTests(NatLabFixture fixture, ITestOutputHelper output)
    : FwmarkEndToEndTests<NatLabFixture>(fixture, output), IClassFixture<NatLabFixture>;

/// <summary>
/// The fwmark service with lvsd on AF_XDP: the XDP program must redirect what the marking rule
/// matches (code emitted from the rule) and the real servers' replies (port 0) to lvsd.
/// </summary>
public sealed class XdpFwmarkEndToEndTests(XdpNatLabFixture fixture, ITestOutputHelper output)
    : FwmarkEndToEndTests<XdpNatLabFixture>(fixture, output), IClassFixture<XdpNatLabFixture>
{
    // lvsd falls back to AF_PACKET when XDP cannot be loaded: the test must not pass that way.
    private protected override void AssertIo(string lvsdLog)
    {
        Assert.Contains("xdp-native", lvsdLog, StringComparison.Ordinal);
        Assert.DoesNotContain("XDP not available", lvsdLog, StringComparison.Ordinal);
        Assert.DoesNotContain("not steered by the XDP program", lvsdLog, StringComparison.Ordinal);
        Assert.DoesNotContain("not loaded", lvsdLog, StringComparison.Ordinal);
    }
}
