using Lvs.Admin.Output;
using Lvs.Contracts;

namespace Lvs.Admin.Tests.Output;

/// <summary>
/// fwmark services in every -L format and fwmark templates in -L -c, against ipvsadm 1.31's
/// print_service_entry ("FWM  %d"), libipvs's ipvs_cmp_services and print_conn.
/// </summary>
public class FwmarkListTests
{
    private const string Version = "IP Virtual Server version 1.2.1 (size=4096)\n";

    private const string Head =
        Version +
        "Prot LocalAddress:Port Scheduler Flags\n" +
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

    private static readonly TrafficStats Zero = new(0, 0, 0, 0, 0);

    private static string List(ListFormat format, params ServiceStatus[] services) =>
        new ListFormatter(format, new FakeNames()).FormatAll(new StatusSnapshot("1.2.1", 4096, 0, services));

    private static ListFormat Numeric => new(true, false, false, false);

    private static ServiceStatus Fwmark(uint mark, string scheduler, params RealServerStatus[] servers) =>
        new(ServiceKey.ForFwmark(mark), scheduler, Zero, servers);

    private static ServiceStatus Mark1WithServers() =>
        Fwmark(1, "rr",
            new RealServerStatus("10.0.0.12", 80, "route", 1, 2, 3, Zero),
            new RealServerStatus("10.0.0.11", 0, "route", 2, 0, 0, new TrafficStats(2, 40, 30, 2000, 3000)))
        with
        {
            Persistent = true,
            PersistenceTimeout = 300,
            PersistenceNetmask = "255.255.255.0",
        };

    /// <summary>Added in a scrambled order; -L sorts them as libipvs does.</summary>
    private static ServiceStatus[] Mixed() =>
    [
        Fwmark(7, "sh") with { SchedulerFlags = ["sh-port"], OnePacket = true },
        Mark1WithServers(),
        new ServiceStatus(new ServiceKey("udp", "192.0.2.10", 53), "rr", Zero, []),
        Fwmark(3000000000, "wlc"),
        new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero, [new RealServerStatus("10.0.0.11", 80, "masq", 1, 0, 0, Zero)]),
    ];

    [Fact]
    public void FormatAll_Numeric_FwmAfterTcpUdpUpToMark2Pow31()
    {
        // ipvs_cmp_services: s1->fwmark - s2->fwmark into an int. Mark 3000000000 minus anything
        // smaller is negative there, so it comes first; it prints through %d as -1294967296.
        Assert.Equal(
            Head +
            "FWM  -1294967296 wlc\n" +
            "TCP  192.0.2.10:80 rr\n" +
            "  -> 10.0.0.11:80                 Masq    1      0          0         \n" +
            "UDP  192.0.2.10:53 rr\n" +
            "FWM  1 rr persistent 300 mask 255.255.255.0\n" +
            "  -> 10.0.0.11:0                  Route   2      0          0         \n" +
            "  -> 10.0.0.12:80                 Route   1      2          3         \n" +
            "FWM  7 sh (sh-port) ops\n",
            List(Numeric, Mixed()));
    }

    [Fact]
    public void FormatAll_NoSort_LvsdsOrder()
    {
        string listed = List(new ListFormat(true, false, false, true), Mixed());

        Assert.StartsWith(Head + "FWM  7 sh (sh-port) ops\nFWM  1 rr persistent 300 mask 255.255.255.0\n", listed);
    }

    [Fact]
    public void FormatAll_WithoutNumeric_HostsNamedPortsNeverForProtocolZero()
    {
        // FakeNames names 10.0.0.11 and tcp port 80; a fwmark service's real servers keep port numbers.
        Assert.Equal(
            Head +
            "FWM  -1294967296 wlc\n" +
            "TCP  vip.example:http rr\n" +
            "  -> a-rather-long-real-server-na Masq    1      0          0         \n" +
            "UDP  vip.example:53 rr\n" +
            "FWM  1 rr persistent 300 mask 255.255.255.0\n" +
            "  -> a-rather-long-real-server-na Route   2      0          0         \n" +
            "  -> 10.0.0.12:80                 Route   1      2          3         \n" +
            "FWM  7 sh (sh-port) ops\n",
            List(new ListFormat(false, false, false, false), Mixed()));
    }

    [Fact]
    public void FormatAll_Stats_FwmNamePaddedTo33()
    {
        ServiceStatus service = Fwmark(1, "rr", new RealServerStatus("10.0.0.11", 0, "route", 2, 0, 0, new TrafficStats(2, 40, 30, 2000, 3000)))
            with
        { Stats = new TrafficStats(5, 100, 90, 6000, 120000000) };

        Assert.Equal(
            Version +
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n" +
            "  -> RemoteAddress:Port\n" +
            "FWM  1                                   5      100       90     6000  120000K\n" +
            "  -> 10.0.0.11:0                         2       40       30     2000     3000\n",
            List(new ListFormat(true, true, false, false), service));
    }

    [Fact]
    public void FormatAll_Thresholds_FwmServiceLine()
    {
        ServiceStatus service = Fwmark(1, "rr", new RealServerStatus("10.0.0.11", 0, "route", 2, 0, 0, Zero) { UpperThreshold = 100, LowerThreshold = 50 });

        Assert.Equal(
            Version +
            "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n" +
            "  -> RemoteAddress:Port\n" +
            "FWM  1 rr\n" +
            "  -> 10.0.0.11:0                  100        50         0          0         \n",
            List(new ListFormat(true, false, false, false, Thresholds: true), service));
    }

    [Fact]
    public void FormatAll_PersistentConn_FwmServiceLine()
    {
        ServiceStatus service = Fwmark(1, "rr", new RealServerStatus("10.0.0.11", 0, "route", 2, 0, 0, Zero) { PersistentConns = 4 })
            with
        { Persistent = true, PersistenceTimeout = 60 };

        Assert.Equal(
            Version +
            "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n" +
            "  -> RemoteAddress:Port\n" +
            "FWM  1 rr persistent 60\n" +
            "  -> 10.0.0.11:0                  2         4           0          0         \n",
            List(new ListFormat(true, false, false, false, PersistentConn: true), service));
    }

    [Fact]
    public void FormatAll_TunInfo_FwmServiceLine()
    {
        ServiceStatus service = Fwmark(1, "rr",
            new RealServerStatus("10.0.0.11", 0, "tunnel", 2, 0, 0, Zero) { TunnelType = "gue", TunnelPort = 6080, TunnelChecksum = "csum" });

        Assert.Equal(
            Version +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n" +
            "FWM  1 rr\n" +
            "  -> 10.0.0.11:0                  Tunnel  gue:6080:+c   2      0          0         \n",
            List(new ListFormat(true, false, false, false, TunInfo: true), service));
    }

    [Fact]
    public void FormatOne_Fwmark_TitleAndService()
    {
        string listed = new ListFormatter(Numeric, new FakeNames()).FormatOne(Fwmark(4294967295, "wlc"));

        Assert.Equal(
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "FWM  -1 wlc\n",
            listed);
    }

    [Fact]
    public void Services_MarksAcross2Pow31_IntSubtractionOrder()
    {
        List<ServiceStatus> sorted = IpvsSort.Services(
        [
            Fwmark(2, "rr"),
            new ServiceStatus(new ServiceKey("tcp", "2001:db8:a::1", 80), "rr", Zero, []),
            Fwmark(3000000000, "rr"),
            Fwmark(1, "rr"),
            new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero, []),
        ]);

        // 3000000000 - 0, - 1 and - 2 are all 2^31 or more, negative as int: it sorts first; the rest
        // by mark, the TCP services (mark 0) before mark 1, IPv4 before IPv6.
        Assert.Equal(
            ["fwmark 3000000000", "tcp 192.0.2.10", "tcp 2001:db8:a::1", "fwmark 1", "fwmark 2"],
            sorted.Select(s => s.Key.IsFwmark() ? $"fwmark {s.Key.Fwmark}" : $"tcp {s.Key.Address}"));
    }

    [Theory]
    [InlineData(1u, "FWM  1")]
    [InlineData(2147483647u, "FWM  2147483647")]
    [InlineData(2147483648u, "FWM  -2147483648")]
    public void ServiceName_MarkThroughPercentD(uint mark, string expected) => Assert.Equal(expected, FwmarkText.ServiceName(mark));

    [Fact]
    public void FormatAll_Ipv6Fwmark_PrintsIpv6AfterTheMarkAndPrefixLength()
    {
        // print_service_entry: "FWM  %d IPv6" for an AF_INET6 fwmark service; -M as a prefix length.
        ServiceStatus v6 = new ServiceStatus(ServiceKey.ForFwmark(1) with { Ipv6 = true }, "rr", Zero,
                [new RealServerStatus("2001:db8:b::11", 0, "route", 1, 0, 0, Zero)])
            with
        { Persistent = true, PersistenceTimeout = 300, PersistenceNetmask = "64" };

        Assert.Equal(
            Head +
            "FWM  1 IPv6 rr persistent 300 mask 64\n" +
            "  -> [2001:db8:b::11]:0           Route   1      0          0         \n",
            List(Numeric, v6));
    }

    [Fact]
    public void Save_Ipv6Fwmark_DashSixAfterTheMark()
    {
        ServiceStatus v6 = new ServiceStatus(ServiceKey.ForFwmark(1) with { Ipv6 = true }, "rr", Zero, [])
            with
        { Persistent = true, PersistenceTimeout = 300, PersistenceNetmask = "64" };

        string saved = new SaveFormatter(true, new FakeNames()).Format(new StatusSnapshot("1.2.1", 4096, 0, [v6]));

        Assert.Equal("-A -f 1 -6 -s rr -p 300 -M 64\n", saved);
    }
}
