using Lvs.Admin.CommandLine;
using Lvs.Admin.Output;
using Lvs.Contracts;

namespace Lvs.Admin.Tests.Output;

/// <summary>-L with UDP, scheduler flags, persistence and ops on the service line; --thresholds and --persistent-conn.</summary>
public class ListFormatterServiceFlagsTests
{
    private const string Head =
        "IP Virtual Server version 1.2.1 (size=4096)\n" +
        "Prot LocalAddress:Port Scheduler Flags\n" +
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

    private static readonly TrafficStats Zero = new(0, 0, 0, 0, 0);

    private static string List(ListFormat format, params ServiceStatus[] services) =>
        new ListFormatter(format, new FakeNames()).FormatAll(new StatusSnapshot("1.2.1", 4096, 0, services));

    private static ServiceStatus Service(string protocol, ushort port, string scheduler, params RealServerStatus[] servers) =>
        new(new ServiceKey(protocol, "192.0.2.10", port), scheduler, Zero, servers);

    [Fact]
    public void FormatAll_PersistenceMaskOpsFlags_PrintServiceEntryOrder()
    {
        ServiceStatus[] services =
        [
            Service("tcp", 80, "wlc") with { Persistent = true, PersistenceTimeout = 300 },
            Service("tcp", 443, "rr") with { Persistent = true, PersistenceTimeout = 60, PersistenceNetmask = "255.255.255.0" },
            Service("tcp", 0, "lc") with { Persistent = true, PersistenceTimeout = 7200, PersistenceNetmask = "255.255.255.255" },
            Service("udp", 53, "sh") with
            {
                SchedulerFlags = ["sh-fallback", "sh-port"],
                Persistent = true,
                PersistenceTimeout = 10,
                PersistenceNetmask = "255.255.0.0",
                OnePacket = true,
            },
            Service("udp", 54, "rr") with { OnePacket = true },
            Service("udp", 55, "mh") with { SchedulerFlags = ["mh-port"] },
        ];

        Assert.Equal(
            Head +
            "TCP  192.0.2.10:0 lc persistent 7200\n" +
            "TCP  192.0.2.10:80 wlc persistent 300\n" +
            "TCP  192.0.2.10:443 rr persistent 60 mask 255.255.255.0\n" +
            "UDP  192.0.2.10:53 sh (sh-fallback,sh-port) persistent 10 mask 255.255.0.0 ops\n" +
            "UDP  192.0.2.10:54 rr ops\n" +
            "UDP  192.0.2.10:55 mh (mh-port)\n",
            List(new ListFormat(true, false, false, false), services));
    }

    [Theory]
    [InlineData("sh", new[] { "flag-1", "flag-2" }, "sh (sh-fallback,sh-port)")]
    [InlineData("sh", new[] { "mh-port" }, "sh (sh-port)")]
    [InlineData("sh", new[] { "flag-3" }, "sh ()")]
    [InlineData("mh", new[] { "flag-3", "mh-fallback" }, "mh (mh-fallback)")]
    [InlineData("rr", new[] { "sh-fallback" }, "rr (flag-1)")]
    [InlineData("wlc", new[] { "flag-3", "flag-1", "flag-2" }, "wlc (flag-1,flag-2,flag-3)")]
    [InlineData("rr", new[] { "bogus" }, "rr")]
    [InlineData("rr", new string[0], "rr")]
    public void FormatAll_SchedulerFlags_PrintSchedFlagsNames(string scheduler, string[] flags, string expected)
    {
        ServiceStatus service = Service("tcp", 80, scheduler) with { SchedulerFlags = flags };

        Assert.Equal(Head + $"TCP  192.0.2.10:80 {expected}\n", List(new ListFormat(true, false, false, false), service));
    }

    [Fact]
    public void FormatAll_MaskWithoutPersistence_NotPrinted()
    {
        ServiceStatus service = Service("tcp", 80, "rr") with { PersistenceNetmask = "255.255.255.0", PersistenceTimeout = 300 };

        Assert.Equal(Head + "TCP  192.0.2.10:80 rr\n", List(new ListFormat(true, false, false, false), service));
    }

    [Fact]
    public void FormatAll_IPv6Persistent_PrefixMaskUnless128()
    {
        ServiceStatus a = new ServiceStatus(new ServiceKey("tcp", "2001:db8:a::10", 80), "rr", Zero, []) with
        {
            Persistent = true,
            PersistenceTimeout = 300,
            PersistenceNetmask = "64",
        };
        ServiceStatus b = new ServiceStatus(new ServiceKey("tcp", "2001:db8:a::11", 80), "rr", Zero, []) with
        {
            Persistent = true,
            PersistenceTimeout = 300,
            PersistenceNetmask = "128",
        };

        Assert.Equal(
            Head + "TCP  [2001:db8:a::10]:80 rr persistent 300 mask 64\nTCP  [2001:db8:a::11]:80 rr persistent 300\n",
            List(new ListFormat(true, false, false, false), a, b));
    }

    [Fact]
    public void FormatAll_UdpWithoutNumeric_UdpServiceNames()
    {
        ServiceStatus service = Service("udp", 80, "rr", new RealServerStatus("10.0.0.12", 80, "masq", 1, 0, 0, Zero));

        // FakeNames names port 80 for tcp only, so UDP keeps the number.
        Assert.Equal(
            Head + "UDP  vip.example:80 rr\n" +
            "  -> 10.0.0.12:80                 Masq    1      0          0         \n",
            List(new ListFormat(false, false, false, false), service));
    }

    [Fact]
    public void FormatAll_Stats_NoFlagsOnServiceLine()
    {
        ServiceStatus service = Service("tcp", 80, "sh") with { SchedulerFlags = ["sh-port"], Persistent = true, PersistenceTimeout = 300 };

        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  192.0.2.10:80                       0        0        0        0        0\n",
            List(new ListFormat(true, true, false, false), service));
    }

    [Fact]
    public void FormatAll_Thresholds_IpvsadmColumns()
    {
        ServiceStatus service = Service("tcp", 80, "wlc",
            new RealServerStatus("10.0.0.12", 80, "masq", 1, 3, 4, Zero) { UpperThreshold = 2147483647, LowerThreshold = 0 },
            new RealServerStatus("10.0.0.11", 80, "masq", 1, 120, 9, Zero) { UpperThreshold = 100, LowerThreshold = 50 }) with
        {
            Persistent = true,
            PersistenceTimeout = 300,
        };

        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  192.0.2.10:80 wlc persistent 300\n" +
            "  -> 10.0.0.11:80                 100        50         120        9         \n" +
            "  -> 10.0.0.12:80                 2147483647 0          3          4         \n",
            List(new ListFormat(true, false, false, false, Thresholds: true), service));
    }

    [Fact]
    public void FormatAll_PersistentConn_IpvsadmColumns()
    {
        ServiceStatus service = Service("tcp", 80, "rr",
            new RealServerStatus("10.0.0.11", 80, "route", 65535, 1, 2, Zero) { PersistentConns = 17 },
            new RealServerStatus("10.0.0.12", 80, "route", 0, 0, 0, Zero)) with
        {
            Persistent = true,
            PersistenceTimeout = 60,
            PersistenceNetmask = "255.255.255.0",
        };

        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  192.0.2.10:80 rr persistent 60 mask 255.255.255.0\n" +
            "  -> 10.0.0.11:80                 65535     17          1          2         \n" +
            "  -> 10.0.0.12:80                 0         0           0          0         \n",
            List(new ListFormat(true, false, false, false, PersistentConn: true), service));
    }

    [Fact]
    public void FormatAll_ThresholdsBeforePersistentConnBeforeTunInfo_IpvsadmPrecedence()
    {
        ServiceStatus service = Service("tcp", 80, "rr", new RealServerStatus("10.0.0.11", 80, "masq", 1, 0, 0, Zero));

        string thresholds = List(new ListFormat(true, false, false, false, TunInfo: true, Thresholds: true, PersistentConn: true), service);
        string persistent = List(new ListFormat(true, false, false, false, TunInfo: true, PersistentConn: true), service);

        Assert.Contains("Uthreshold", thresholds);
        Assert.Contains("PersistConn", persistent);
        Assert.DoesNotContain("TunnelInfo", persistent);
    }

    [Theory]
    [InlineData("sh", 3, new[] { "sh-fallback", "sh-port" })]
    [InlineData("mh", 7, new[] { "mh-fallback", "mh-port", "flag-3" })]
    [InlineData("wrr", 5, new[] { "flag-1", "flag-3" })]
    [InlineData("twos", 2, new[] { "flag-2" })]
    [InlineData("sh", 0, new string[0])]
    public void Canonical_BitsRoundTrip(string scheduler, int bits, string[] names)
    {
        Assert.Equal(names, SchedulerFlagNames.Canonical(scheduler, bits));
        Assert.Equal(bits, SchedulerFlagNames.Bits(names));
    }
}
