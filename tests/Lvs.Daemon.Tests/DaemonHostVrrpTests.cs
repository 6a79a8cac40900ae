using Lvs.Daemon.Config;
using Lvs.Vrrp;

namespace Lvs.Daemon.Tests;

public class DaemonHostVrrpTests
{
    private const string Conf = """
        global_defs {
            lvs_sync_daemon eth1 VI_OUT
        }
        vrrp_sync_group VG1 {
            group {
                VI_OUT
                VI_IN
            }
        }
        vrrp_instance VI_OUT {
            interface eth0
            virtual_router_id 51
            virtual_ipaddress {
                192.0.2.10/32
            }
        }
        vrrp_instance VI_IN {
            interface eth1
            virtual_router_id 52
            virtual_ipaddress {
                10.0.0.1/32
            }
        }
        vrrp_instance VI_OTHER {
            interface eth2
            virtual_router_id 53
            virtual_ipaddress {
                192.0.2.20/32
            }
        }
        """;

    [Fact]
    public void HoldPreemption_SyncInstanceInGroup_WholeGroupHeldOthersNot()
    {
        ConfigLoadResult r = ConfigLoader.LoadText(Conf, "/etc/k.conf");
        Assert.True(r.Succeeded, string.Join("\n", r.Describe()));

        VrrpConfig held = DaemonHost.HoldPreemption(r.Vrrp, "VI_OUT", out HashSet<string> names);

        Assert.Equal(["VI_IN", "VI_OUT"], names.Order());
        Assert.Equal([true, true, false], held.Instances.Select(i => i.HoldPreemption));
    }

    [Fact]
    public void HoldPreemption_SyncInstanceWithoutGroup_OnlyItHeld()
    {
        ConfigLoadResult r = ConfigLoader.LoadText(Conf, "/etc/k.conf");
        Assert.True(r.Succeeded, string.Join("\n", r.Describe()));

        VrrpConfig held = DaemonHost.HoldPreemption(r.Vrrp, "VI_OTHER", out HashSet<string> names);

        Assert.Equal(["VI_OTHER"], names);
        Assert.Equal([false, false, true], held.Instances.Select(i => i.HoldPreemption));
    }
}
