using System.Diagnostics;
using Xunit.Abstractions;

namespace Lvs.Vrrp.Tests.Root;

[Collection("vrrp-root")]
public class VrrpEndToEndTests(ITestOutputHelper output)
{
    private static string Instance(int priority, int version, string interval) => $$"""
        vrrp_instance VI_1 {
          state BACKUP
          interface eth0
          virtual_router_id 51
          priority {{priority}}
          advert_int {{interval}}
          version {{version}}
          virtual_ipaddress { 192.0.2.10/32 }
        }
        """;

    private static string Keepalived(int priority, int version) => $$"""
        global_defs { vrrp_version {{version}} }
        vrrp_instance VI_1 {
          state BACKUP
          interface eth0
          virtual_router_id 51
          priority {{priority}}
          advert_int 1
          virtual_ipaddress { 192.0.2.10/32 }
        }
        """;

    [RootTheory("runs lvsd and keepalived in network namespaces")]
    [InlineData(2)]
    [InlineData(3)]
    public void Keepalived_LowerPriorityPeer_LvsdMasterThenKeepalivedTakesOverAfterKill(int version)
    {
        using var peers = new VrrpPeers();
        Process lvsd = peers.StartLvsd(peers.A, "lvsd", Instance(150, version, "1"));
        peers.StartKeepalived(peers.B, "ka", Keepalived(100, version));
        try
        {
            Assert.NotNull(VrrpPeers.WaitFor(() => peers.HasVip(peers.A) && !peers.HasVip(peers.B), TimeSpan.FromSeconds(10)));
            Thread.Sleep(3000);
            Assert.True(peers.HasVip(peers.A) && !peers.HasVip(peers.B), "lvsd (150) must stay master over keepalived (100)");
            string listing = peers.Lvsadm("lvsd", peers.A);
            Assert.Contains("state MASTER", listing, StringComparison.Ordinal);
            Assert.Contains("received ", listing, StringComparison.Ordinal);
            Assert.DoesNotContain("drops:", listing, StringComparison.Ordinal);
            Assert.Contains("with higher priority 150", peers.Log("ka"), StringComparison.Ordinal);

            lvsd.Kill();
            Assert.NotNull(VrrpPeers.WaitFor(() => peers.HasVip(peers.B), TimeSpan.FromSeconds(6)));
        }
        finally
        {
            output.WriteLine(peers.Log("lvsd"));
            output.WriteLine(peers.Log("ka"));
        }
    }

    [RootTheory("runs lvsd and keepalived in network namespaces")]
    [InlineData(2)]
    [InlineData(3)]
    public void Keepalived_HigherPriorityPeer_LvsdBackupThenTakesOverAfterKill(int version)
    {
        using var peers = new VrrpPeers();
        peers.StartLvsd(peers.A, "lvsd", Instance(100, version, "1"));
        Process ka = peers.StartKeepalived(peers.B, "ka", Keepalived(150, version));
        try
        {
            Assert.NotNull(VrrpPeers.WaitFor(() => peers.HasVip(peers.B) && !peers.HasVip(peers.A), TimeSpan.FromSeconds(10)));
            Thread.Sleep(3000);
            Assert.True(peers.HasVip(peers.B) && !peers.HasVip(peers.A), "keepalived (150) must stay master over lvsd (100)");
            Assert.Contains("master: 198.51.100.3", peers.Lvsadm("lvsd", peers.A), StringComparison.Ordinal);

            ka.Kill(entireProcessTree: true);
            Assert.NotNull(VrrpPeers.WaitFor(() => peers.HasVip(peers.A), TimeSpan.FromSeconds(6)));
        }
        finally
        {
            output.WriteLine(peers.Log("lvsd"));
            output.WriteLine(peers.Log("ka"));
        }
    }

    [RootFact("runs two lvsd in network namespaces")]
    public void TwoLvsd_AdvertInterval100ms_VipMovesWithinOneSecondOfKill9()
    {
        using var peers = new VrrpPeers();
        peers.StartLvsd(peers.B, "b", Instance(100, 3, "0.1"));
        Process a = peers.StartLvsd(peers.A, "a", Instance(150, 3, "0.1"));
        Assert.NotNull(VrrpPeers.WaitFor(() => peers.HasVip(peers.A) && !peers.HasVip(peers.B), TimeSpan.FromSeconds(10)));
        Thread.Sleep(1000);
        var sw = Stopwatch.StartNew();
        a.Kill();
        TimeSpan? moved = VrrpPeers.WaitFor(() => peers.HasVip(peers.B), TimeSpan.FromSeconds(3));
        output.WriteLine($"VIP on the backup {moved?.TotalMilliseconds ?? -1:F0} ms after kill -9");
        Assert.NotNull(moved);
        Assert.True(moved < TimeSpan.FromSeconds(1), $"took {moved}");
    }
}
