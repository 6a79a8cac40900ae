using Lvs.Lab;
using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// A fwmark service (ipvsadm -f) whose mark comes from an nftables marking rule the operator
/// wrote in the director's namespace (table ip lvs_fwmark), which lvsd reads and evaluates.
/// </summary>
public sealed class FwmarkEndToEndTests(NatLabFixture fixture, ITestOutputHelper output) : IClassFixture<NatLabFixture>
{
    private static readonly TimeSpan PerRequestTimeout = TimeSpan.FromSeconds(5);

    private NatLab Lab => fixture.Lab ?? throw new InvalidOperationException("lab not built");

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
        }
        finally
        {
            output.WriteLine(Lab.Lvsadm("-L", "--drops").Stdout);
            Lab.Lvsadm("-C");
            Lab.Exec(ns, "nft", "delete", "table", "ip", "lvs_fwmark");
        }
    }
}
