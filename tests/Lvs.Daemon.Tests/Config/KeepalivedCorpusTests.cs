using Lvs.Core.Scheduling;
using Lvs.Core.Services;
using Lvs.Daemon.Config;
using static Lvs.Daemon.Tests.Config.ConfigText;

namespace Lvs.Daemon.Tests.Config;

public class KeepalivedCorpusTests
{
    [Fact]
    public void Load_FullCorpus_GivesEveryServiceWithKeepalivedDefaults()
    {
        ConfigLoadResult r = ConfigLoader.Load(Corpus("full.conf"));

        Assert.True(r.Succeeded, Lines(r));
        Assert.Equal(
            "TCP 192.0.2.10:80 sched=wrr flags=None persistent=True timeout=50000 mask=255.255.255.0 ops=False\n" +
            "  203.0.113.2:80 DirectRoute w=0 x=0 y=0\n" +
            "  203.0.113.1:80 DirectRoute w=3 x=100 y=10\n" +
            "UDP 192.0.2.11:53 sched=sh flags=Fallback, Port persistent=False timeout=300000 mask=255.255.255.255 ops=True\n" +
            "  203.0.113.4:53 Tunnel w=1 x=0 y=0 tun=IpIp/0/NoChecksum\n" +
            "  203.0.113.3:53 Tunnel w=2 x=0 y=0 tun=Gue/6080/Checksum\n" +
            "FWM 7 sched=wlc flags=None persistent=True timeout=360000 mask=255.255.255.255 ops=False\n" +
            "  10.0.0.2:0 Masquerade w=1 x=0 y=0\n" +
            "  10.0.0.1:0 Masquerade w=1 x=0 y=0\n",
            Render(r.Configuration!));
    }

    [Fact]
    public void Load_FullCorpus_KeepsSorryServerHealthTimeoutsAndSyncDaemon()
    {
        ConfigLoadResult r = ConfigLoader.Load(Corpus("full.conf"));

        ServiceKey web = Tcp("192.0.2.10", 80);
        SorryServer sorry = r.SorryServers[web];
        Assert.Equal((Ipv4.Parse("203.0.113.99"), (ushort)80, ForwardMethod.DirectRoute, true, 29),
            (sorry.Address, sorry.Port, sorry.Method, sorry.Inhibit, sorry.Location.Line));
        Assert.Single(r.SorryServers);

        ServiceHealth health = r.Health[web];
        Assert.Equal(6, health.DelayLoopSeconds);
        Assert.Equal([true, false], health.Servers.Select(s => s.InhibitOnFailure));
        Assert.Equal(["TCP_CHECK", "HTTP_GET"], health.Servers.SelectMany(s => s.Checkers).Select(c => c.Name));
        KeepalivedNode url = health.Servers[1].Checkers[0].ChildrenNamed("url").Single();
        KeepalivedToken path = url.ChildrenNamed("path").Single().Arguments.Single();
        Assert.Equal(("/health check", true), (path.Text, path.Quoted));
        Assert.Equal(KeepalivedInterpreter.DefaultDelayLoopSeconds, r.Health[ServiceKey.ForFwmark(7)].DelayLoopSeconds);

        Assert.Equal(new LvsTimeouts(900, 120, 300), r.Timeouts);
        Assert.Equal(["eth0", "VI_1", "id", "5"], r.SyncDaemon!.Arguments.Select(a => a.Text));
    }

    [Fact]
    public void Load_FullCorpus_KeepsLaterBlocksAndReadsIncludesInOrder()
    {
        ConfigLoadResult r = ConfigLoader.Load(Corpus("full.conf"));

        KeepalivedDocument doc = r.Document!;
        KeepalivedNode vrrp = doc.StatementsNamed("vrrp_instance").Single();
        Assert.Equal(["192.0.2.10"], vrrp.ChildrenNamed("virtual_ipaddress").Single().Children!.Select(c => c.Name));
        Assert.Equal(["full.conf", "10-udp.conf", "20-fwmark.conf"], doc.Files.Select(Path.GetFileName));
        Assert.Equal(3, doc.StatementsNamed("virtual_server").Count());
    }

    [Fact]
    public void Load_FullCorpus_WarnsWithLinesOncePerKeyword()
    {
        ConfigLoadResult r = ConfigLoader.Load(Corpus("full.conf"));

        string[] warnings = [.. r.Warnings.Select(w => $"{Path.GetFileName(w.File)}:{w.Line}:{w.Column}: {w.Message}")];
        Assert.Contains("full.conf:3:5: global_defs keyword 'router_id' does not apply to lvsd; ignored", warnings);
        Assert.DoesNotContain(warnings, w => w.StartsWith("full.conf:4:", StringComparison.Ordinal));
        Assert.Contains("full.conf:5:5: global_defs keyword 'notification_email' does not apply to lvsd; ignored", warnings);
        Assert.Contains(warnings, w => w.StartsWith("full.conf:9:5: 'lvs_sync_daemon' is kept", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.StartsWith("full.conf:13:1: 'vrrp_instance' is kept", StringComparison.Ordinal));
        Assert.Contains("full.conf:31:5: unknown keyword 'frobnicate' in virtual_server; ignored", warnings);
        Assert.Contains(warnings, w => w.StartsWith("full.conf:38:9: 'TCP_CHECK' is kept but not run", StringComparison.Ordinal));
        Assert.Contains("10-udp.conf:7:5: mh-port only applies to the mh scheduler; ignored", warnings);
        Assert.Contains("20-fwmark.conf:1:1: virtual server has no lvs_sched; using the default 'wlc'", warnings);
        Assert.Equal(8, warnings.Length);
    }

    [Fact]
    public void Load_Groups_ExpandsEveryMemberWithTheSameServers()
    {
        ConfigLoadResult r = ConfigLoader.Load(Corpus("groups.conf"));

        Assert.True(r.Succeeded, Lines(r));
        string servers = "  10.0.0.6:8080 Masquerade w=1 x=0 y=0\n  10.0.0.5:8080 Masquerade w=5 x=0 y=0\n";
        string Line(string key) => $"{key} sched=rr flags=None persistent=False timeout=300000 mask=255.255.255.255 ops=False\n" + servers;
        Assert.Equal(
            Line("TCP 192.0.2.20:80") + Line("TCP 192.0.2.30:443") + Line("TCP 192.0.2.31:443") + Line("TCP 192.0.2.32:443") + Line("FWM 9"),
            Render(r.Configuration!));
        Assert.Empty(r.Warnings);
    }

    [Theory]
    [InlineData("alpha", "rr")]
    [InlineData("beta", "lc")]
    public void Load_ConditionalLines_FollowTheConfigId(string configId, string scheduler)
    {
        ConfigLoadResult r = ConfigLoader.Load(Corpus("conditional.conf"), configId);

        Assert.True(r.Succeeded, Lines(r));
        Assert.Equal(scheduler, r.Configuration!.Services.Single().Settings.Scheduler);
    }

    [Fact]
    public void LoadText_BraceOnSameLineAndComments_ParsesAsKeepalived()
    {
        const string text = "virtual_server 192.0.2.1 80 { lvs_sched mh ! comment {\n" +
            "  mh-fallback # trailing comment }\n" +
            "  lvs_method DR\n" +
            "  real_server 10.0.0.1 80 { weight 4 } }\n";

        ConfigLoadResult r = ConfigLoader.LoadText(text, "inline.conf");

        Assert.True(r.Succeeded, Lines(r));
        ServiceDefinition s = r.Configuration!.Services.Single();
        Assert.Equal(("mh", SchedulerFlags.Fallback), (s.Settings.Scheduler, s.Settings.Flags));
        Assert.Equal((ForwardMethod.DirectRoute, 4), (s.Servers[0].Method, s.Servers[0].Weight));
    }

    [Fact]
    public void LoadText_Empty_IsAnEmptyConfiguration()
    {
        ConfigLoadResult r = ConfigLoader.LoadText("# nothing\n", "empty.conf");

        Assert.True(r.Succeeded);
        Assert.Empty(r.Configuration!.Services);
    }

    [Fact]
    public void LoadText_Ipv6VirtualServer_ServersPrefixAndFwmarkFamily()
    {
        const string text =
            "virtual_server 2001:db8:a::1 80 {\n" +
            "  lvs_sched wlc\n  lvs_method NAT\n  persistence_timeout 60\n  persistence_granularity 64\n" +
            "  real_server fd00::11 8080 {\n    weight 2\n  }\n" +
            "  real_server 203.0.113.5 80 {\n    lvs_method TUN\n  }\n" +
            "}\n" +
            "virtual_server fwmark 9 {\n  ip_family inet6\n  lvs_sched rr\n  lvs_method DR\n" +
            "  real_server 2001:db8:b::7 80 {\n  }\n}\n";

        ConfigLoadResult r = ConfigLoader.LoadText(text, "inline.conf");

        Assert.True(r.Succeeded, Lines(r));
        Assert.Equal(
            "TCP [2001:db8:a::1]:80 sched=wlc flags=None persistent=True timeout=60000 mask=64 ops=False\n" +
            "  203.0.113.5:80 Tunnel w=1 x=0 y=0 tun=IpIp/0/NoChecksum\n" +
            "  [fd00::11]:8080 Masquerade w=2 x=0 y=0\n" +
            "FWM 9 IPv6 sched=rr flags=None persistent=False timeout=300000 mask=128 ops=False\n" +
            "  [2001:db8:b::7]:80 DirectRoute w=1 x=0 y=0\n",
            Render(r.Configuration!));
    }
}
