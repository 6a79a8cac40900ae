using Lvs.Daemon.Config;
using Lvs.Vrrp;
using Lvs.Vrrp.Packets;

namespace Lvs.Daemon.Tests.Config;

public class KeepalivedVrrpTests
{
    private const string Full = """
        vrrp_script chk {
          script "/bin/true"
          interval 2
          weight -20
          fall 3
        }
        vrrp_instance VI_1 {
          state MASTER
          interface eth0
          virtual_router_id 51
          priority 150
          advert_int 0.1
          version 3
          preempt_delay 5
          virtual_ipaddress {
            192.0.2.10/24 dev eth1 label eth1:vip
            192.0.2.11
          }
          unicast_src_ip 198.51.100.2
          unicast_peer { 198.51.100.3 }
          track_interface { eth1 weight -10 }
          track_script { chk }
          notify "/usr/local/bin/n"
          garp_master_delay 1
          garp_master_repeat 3
        }
        vrrp_instance VI_2 {
          interface eth0
          virtual_router_id 52
          nopreempt
          authentication { auth_type PASS
            auth_pass secret }
          virtual_ipaddress { 192.0.2.20 }
        }
        vrrp_sync_group G { group { VI_1
          VI_2 } }
        """;

    [Fact]
    public void LoadText_FullVrrpConfig_Interpreted()
    {
        ConfigLoadResult r = ConfigLoader.LoadText(Full, "/etc/k.conf");
        Assert.True(r.Succeeded, string.Join("\n", r.Describe()));
        VrrpInstanceConfig a = r.Vrrp.Instances[0];
        Assert.Equal(("VI_1", "eth0", (byte)51, (byte)150, VrrpVersion.V3, 10), (a.Name, a.Interface, a.Vrid, a.Priority, a.Version, a.IntervalCentiseconds));
        Assert.True(a.StartAsMaster);
        Assert.Equal(TimeSpan.FromSeconds(5), a.PreemptDelay);
        Assert.Equal("192.0.2.10/24 dev eth1", a.VirtualAddresses[0].ToString());
        Assert.Equal(32, a.VirtualAddresses[1].PrefixLength);
        Assert.Equal("198.51.100.3", Assert.Single(a.UnicastPeers).ToString());
        Assert.Equal(new TrackedInterface("eth1", -10), Assert.Single(a.TrackInterfaces));
        Assert.Equal(new TrackedScript("chk", null), Assert.Single(a.TrackScripts));
        Assert.Equal(3, a.GarpMasterRepeat);
        VrrpInstanceConfig b = r.Vrrp.Instances[1];
        Assert.Equal((VrrpVersion.V2, 100, false, "secret", (byte)100), (b.Version, b.IntervalCentiseconds, b.Preempt, b.AuthPass, b.Priority));
        Assert.Equal(["VI_1", "VI_2"], r.Vrrp.SyncGroups[0].Members);
        Assert.Equal(-20, r.Vrrp.Scripts[0].Weight);
    }

    [Theory]
    [InlineData("virtual_router_id 256", 3, "virtual_router_id needs a number from 1 to 255")]
    [InlineData("advert_int 0.5", 3, "VRRP version 2 counts whole seconds")]
    [InlineData("priority 0", 3, "priority needs a number from 1 to 255")]
    [InlineData("virtual_ipaddress { 192.0.2.300 }", 3, "is not an IP address")]
    [InlineData("track_script { nope }", 3, "no vrrp_script named 'nope'")]
    [InlineData("state MAYBE", 3, "state is MASTER or BACKUP")]
    public void LoadText_BadValue_RefusedWithLine(string line, int lineNumber, string message)
    {
        string text = "vrrp_instance V {\n  interface eth0\n  " + line + "\n  virtual_router_id 1\n  virtual_ipaddress { 192.0.2.10 }\n}\n";
        ConfigLoadResult r = ConfigLoader.LoadText(text, "/etc/k.conf");
        Assert.False(r.Succeeded);
        ConfigDiagnostic e = r.Errors[0];
        Assert.Equal(lineNumber, e.Line);
        Assert.True(e.Message.Contains(message, StringComparison.Ordinal), e.ToString());
    }

    [Fact]
    public void LoadText_MissingVirtualAddresses_Refused()
    {
        ConfigLoadResult r = ConfigLoader.LoadText("vrrp_instance V {\n interface eth0\n virtual_router_id 1\n}\n", "/etc/k.conf");
        Assert.False(r.Succeeded);
        Assert.Contains("needs at least one virtual_ipaddress", r.Errors[0].Message, StringComparison.Ordinal);
    }
}
