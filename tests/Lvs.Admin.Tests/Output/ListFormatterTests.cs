using Lvs.Admin.Output;
using Lvs.Contracts;

namespace Lvs.Admin.Tests.Output;

public class ListFormatterTests
{
    private static readonly TrafficStats Zero = new(0, 0, 0, 0, 0);

    private static RealServerStatus Server(string address, ushort port, int weight = 1, int active = 0, int inactive = 0, TrafficStats? stats = null) =>
        new(address, port, "masq", weight, active, inactive, stats ?? Zero);

    private static StatusSnapshot Snapshot(params ServiceStatus[] services) => new("1.2.1", 4096, 0, services);

    private static string List(StatusSnapshot snapshot, bool numeric = true, bool stats = false, bool exact = false, bool noSort = false, bool tunInfo = false) =>
        new ListFormatter(new ListFormat(numeric, stats, exact, noSort, tunInfo), new FakeNames()).FormatAll(snapshot);

    private static RealServerStatus Tunnel(string address, string? type, ushort port = 0, string? checksum = null, int weight = 1, int active = 0, int inactive = 0) =>
        new(address, 80, "tunnel", weight, active, inactive, Zero) { TunnelType = type, TunnelPort = port, TunnelChecksum = checksum };

    [Fact]
    public void FormatAll_Empty_HeaderAndTitles()
    {
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n",
            List(Snapshot()));
    }

    [Fact]
    public void FormatAll_Numeric_IpvsadmLayoutWithTrailingBlanks()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero,
            [Server("10.0.0.12", 80, weight: 2, active: 3, inactive: 12), Server("10.0.0.11", 80)]);

        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  192.0.2.10:80 rr\n" +
            "  -> 10.0.0.11:80                 Masq    1      0          0         \n" +
            "  -> 10.0.0.12:80                 Masq    2      3          12        \n",
            List(Snapshot(service)));
    }

    [Fact]
    public void FormatAll_MethodsAndVersionFromSnapshot_Printed()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "wrr", Zero,
        [
            new RealServerStatus("203.0.113.1", 80, "route", 0, 0, 0, Zero),
            new RealServerStatus("203.0.113.2", 80, "tunnel", 65535, 1234567890, 7, Zero),
        ]);

        Assert.Equal(
            "IP Virtual Server version 2.0.0 (size=65536)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  192.0.2.10:80 wrr\n" +
            "  -> 203.0.113.1:80               Route   0      0          0         \n" +
            "  -> 203.0.113.2:80               Tunnel  65535  1234567890 7         \n",
            List(new StatusSnapshot("2.0.0", 65536, 0, [service])));
    }

    [Fact]
    public void FormatAll_Stats_IpvsadmColumns()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", new TrafficStats(32, 192, 160, 12_840, 123_456_789_012),
            [Server("10.0.0.11", 80, stats: new TrafficStats(16, 96, 80, 6420, 54_321))]);

        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  192.0.2.10:80                      32      192      160    12840     123G\n" +
            "  -> 10.0.0.11:80                       16       96       80     6420    54321\n",
            List(Snapshot(service), stats: true));
    }

    [Fact]
    public void FormatAll_StatsExact_WholeNumbers()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", new TrafficStats(1, 2, 3, 4, 123_456_789_012), []);

        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  192.0.2.10:80                       1        2        3        4 123456789012\n",
            List(Snapshot(service), stats: true, exact: true));
    }

    [Fact]
    public void FormatAll_Sorted_ByAddressThenPort_UnlessNoSort()
    {
        ServiceStatus b = new(new ServiceKey("tcp", "192.0.2.11", 80), "rr", Zero, []);
        ServiceStatus a2 = new(new ServiceKey("tcp", "192.0.2.10", 443), "rr", Zero, []);
        ServiceStatus a1 = new(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero, []);
        const string head = "IP Virtual Server version 1.2.1 (size=4096)\n" +
                            "Prot LocalAddress:Port Scheduler Flags\n" +
                            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

        Assert.Equal(head + "TCP  192.0.2.10:80 rr\nTCP  192.0.2.10:443 rr\nTCP  192.0.2.11:80 rr\n", List(Snapshot(b, a2, a1)));
        Assert.Equal(head + "TCP  192.0.2.11:80 rr\nTCP  192.0.2.10:443 rr\nTCP  192.0.2.10:80 rr\n", List(Snapshot(b, a2, a1), noSort: true));
    }

    [Fact]
    public void FormatAll_IPv6_BracketsAndNoTruncation()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "2001:db8:a::10", 80), "rr", Zero,
            [Server("2001:db8:b:1234:5678:9abc:def0:1", 8080)]);

        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  [2001:db8:a::10]:80 rr\n" +
            "  -> [2001:db8:b:1234:5678:9abc:def0:1]:8080 Masq    1      0          0         \n",
            List(Snapshot(service)));
    }

    [Fact]
    public void FormatAll_WithoutNumeric_NamesAndIpv4Truncation()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero,
            [Server("10.0.0.11", 80), Server("10.0.0.12", 8080)]);

        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  vip.example:http rr\n" +
            "  -> a-rather-long-real-server-na Masq    1      0          0         \n" +
            "  -> 10.0.0.12:8080               Masq    1      0          0         \n",
            List(Snapshot(service), numeric: false));
    }

    [Fact]
    public void FormatAll_Numeric_NeverResolves()
    {
        var names = new FakeNames();
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero, [Server("10.0.0.11", 80)]);

        new ListFormatter(new ListFormat(true, false, false, false), names).FormatAll(Snapshot(service));

        Assert.Equal(0, names.Lookups);
    }

    [Fact]
    public void FormatOne_TitleAndServiceWithoutVersionHeader()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero, [Server("10.0.0.11", 80)]);

        Assert.Equal(
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  192.0.2.10:80 rr\n" +
            "  -> 10.0.0.11:80                 Masq    1      0          0         \n",
            new ListFormatter(new ListFormat(true, false, false, false), new FakeNames()).FormatOne(service));
    }

    [Fact]
    public void FormatAll_RouteMasqTunnel_ForwardColumn()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero,
        [
            new RealServerStatus("10.0.0.13", 80, "tunnel", 1, 0, 0, Zero) { TunnelType = "gue", TunnelPort = 6080, TunnelChecksum = "csum" },
            new RealServerStatus("10.0.0.12", 8080, "masq", 1, 0, 0, Zero),
            new RealServerStatus("10.0.0.11", 80, "route", 3, 2, 1, Zero),
        ]);

        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  192.0.2.10:80 rr\n" +
            "  -> 10.0.0.11:80                 Route   3      2          1         \n" +
            "  -> 10.0.0.12:8080               Masq    1      0          0         \n" +
            "  -> 10.0.0.13:80                 Tunnel  1      0          0         \n",
            List(Snapshot(service)));
    }

    [Fact]
    public void FormatAll_TunInfo_IpvsadmTunnelInfoColumn()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero,
        [
            new RealServerStatus("203.0.113.11", 80, "route", 1, 0, 0, Zero),
            new RealServerStatus("203.0.113.12", 80, "masq", 1, 0, 0, Zero),
            Tunnel("203.0.113.13", "ipip", weight: 2, active: 3, inactive: 4),
            Tunnel("203.0.113.14", "gue", 6080, "nocsum"),
            Tunnel("203.0.113.15", "gue", 65535, "remcsum", weight: 5, active: 10, inactive: 20),
            Tunnel("203.0.113.16", "gre", checksum: "csum"),
            Tunnel("203.0.113.17", null),
        ]);

        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n" +
            "TCP  192.0.2.10:80 rr\n" +
            "  -> 203.0.113.11:80              Route   n/a           1      0          0         \n" +
            "  -> 203.0.113.12:80              Masq    n/a           1      0          0         \n" +
            "  -> 203.0.113.13:80              Tunnel  ipip          2      3          4         \n" +
            "  -> 203.0.113.14:80              Tunnel  gue:6080:-c   1      0          0         \n" +
            "  -> 203.0.113.15:80              Tunnel  gue:65535:r+c 5      10         20        \n" +
            "  -> 203.0.113.16:80              Tunnel  gre:+c        1      0          0         \n" +
            "  -> 203.0.113.17:80              Tunnel  ipip          1      0          0         \n",
            List(Snapshot(service), tunInfo: true));
    }

    [Fact]
    public void FormatAll_StatsAndTunInfo_StatsWinAsInIpvsadm()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", new TrafficStats(1, 2, 0, 4, 0),
            [Tunnel("203.0.113.1", "gre", checksum: "nocsum")]);

        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  192.0.2.10:80                       1        2        0        4        0\n" +
            "  -> 203.0.113.1:80                      0        0        0        0        0\n",
            List(Snapshot(service), stats: true, tunInfo: true));
    }

    [Fact]
    public void FormatOne_TunInfo_TitleAndRows()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "wrr", Zero, [Tunnel("203.0.113.2", "gue", 6080, "csum")]);

        Assert.Equal(
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n" +
            "TCP  192.0.2.10:80 wrr\n" +
            "  -> 203.0.113.2:80               Tunnel  gue:6080:+c   1      0          0         \n",
            new ListFormatter(new ListFormat(true, false, false, false, true), new FakeNames()).FormatOne(service));
    }

    [Theory]
    [InlineData("route", null, 0, null, "n/a")]
    [InlineData("masq", null, 0, null, "n/a")]
    [InlineData("local", null, 0, null, "n/a")]
    [InlineData("route", "gue", 6080, "csum", "n/a")]
    [InlineData("tunnel", null, 0, null, "ipip")]
    [InlineData("tunnel", "ipip", 0, null, "ipip")]
    [InlineData("tunnel", "gue", 6080, null, "gue:6080:-c")]
    [InlineData("tunnel", "gue", 6080, "nocsum", "gue:6080:-c")]
    [InlineData("tunnel", "gue", 1, "csum", "gue:1:+c")]
    [InlineData("tunnel", "gue", 65535, "remcsum", "gue:65535:r+c")]
    [InlineData("tunnel", "gre", 0, null, "gre:-c")]
    [InlineData("tunnel", "gre", 0, "csum", "gre:+c")]
    [InlineData("tunnel", "vxlan", 4789, null, "n/a")]
    public void TunnelInfo_MethodAndTunnelFields_IpvsadmText(string method, string? type, int port, string? checksum, string expected)
    {
        var server = new RealServerStatus("203.0.113.1", 80, method, 1, 0, 0, Zero)
        {
            TunnelType = type,
            TunnelPort = (ushort)port,
            TunnelChecksum = checksum,
        };

        Assert.Equal(expected, ListFormatter.TunnelInfo(server));
    }
}
