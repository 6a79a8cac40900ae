using Lvs.Admin.Output;
using Lvs.Contracts;

namespace Lvs.Admin.Tests.Output;

/// <summary>-L -c and -L --timeout, against ipvsadm 1.31's print_conn / list_conn / list_timeout formats.</summary>
public class ConnectionFormatterTests
{
    private const string Header =
        "IPVS connection entries\n" +
        "pro expire state       source             virtual            destination\n";

    private static string Format(IReadOnlyList<ConnectionEntry> entries, bool numeric = true, bool persistentConn = false) =>
        new ConnectionFormatter(numeric, persistentConn, new FakeNames()).Format(entries);

    [Fact]
    public void Format_Empty_TitleAndHeaderOnly() => Assert.Equal(Header, Format([]));

    [Fact]
    public void Format_Numeric_IpvsadmColumns()
    {
        ConnectionEntry[] entries =
        [
            new("tcp", 899, "ESTABLISHED", "198.51.100.2", 40312, "192.0.2.10", 80, "10.0.0.11", 8080),
            new("tcp", 59, "FIN_WAIT", "198.51.100.3", 1, "192.0.2.10", 80, "10.0.0.12", 80),
            new("udp", 300, "UDP", "198.51.100.4", 53000, "192.0.2.10", 53, "10.0.0.11", 53),
            new("tcp", 0, "SYN_RECV", "198.51.100.200", 65535, "192.0.2.200", 65535, "203.0.113.200", 65535),
        ];

        Assert.Equal(
            Header +
            "TCP 14:59  ESTABLISHED 198.51.100.2:40312 192.0.2.10:80      10.0.0.11:8080\n" +
            "TCP 00:59  FIN_WAIT    198.51.100.3:1     192.0.2.10:80      10.0.0.12:80\n" +
            "UDP 05:00  UDP         198.51.100.4:53000 192.0.2.10:53      10.0.0.11:53\n" +
            "TCP 00:00  SYN_RECV    198.51.100.200:65535 192.0.2.200:65535  203.0.113.200:65535\n",
            Format(entries));
    }

    [Fact]
    public void Format_PersistenceTemplates_StateNoneClientPortZero()
    {
        // A template of a TCP service is TCP with state NONE and client port 0; lvsd's "ip"
        // template (protocol 0) prints as IP, whose ports are never named.
        ConnectionEntry[] entries =
        [
            new("tcp", 299, "NONE", "198.51.100.0", 0, "192.0.2.10", 80, "10.0.0.11", 80) { Template = true },
            new("tcp", 7199, "NONE", "198.51.100.2", 0, "192.0.2.10", 0, "10.0.0.12", 0) { Template = true },
            new("ip", 60, "NONE", "198.51.100.2", 0, "192.0.2.10", 0, "10.0.0.12", 0) { Template = true },
        ];

        Assert.Equal(
            Header +
            "TCP 04:59  NONE        198.51.100.0:0     192.0.2.10:80      10.0.0.11:80\n" +
            "TCP 119:59 NONE        198.51.100.2:0     192.0.2.10:0       10.0.0.12:0\n" +
            "IP  01:00  NONE        198.51.100.2:0     192.0.2.10:0       10.0.0.12:0\n",
            Format(entries));
    }

    [Fact]
    public void Format_WithoutNumeric_NamesForHostsAndTcpPorts()
    {
        ConnectionEntry[] entries =
        [
            new("tcp", 61, "ESTABLISHED", "198.51.100.2", 80, "192.0.2.10", 80, "10.0.0.11", 80),
            new("ip", 61, "NONE", "198.51.100.2", 0, "192.0.2.10", 80, "10.0.0.12", 80),
        ];

        Assert.Equal(
            Header +
            "TCP 01:01  ESTABLISHED 198.51.100.2:http  vip.example:http   a-rather-long-real-server-name.example:http\n" +
            "IP  01:01  NONE        198.51.100.2:0     vip.example:80     10.0.0.12:80\n",
            Format(entries, numeric: false));
    }

    [Fact]
    public void Format_IPv6AndMixedFamilies_Brackets()
    {
        ConnectionEntry[] entries =
        [
            new("tcp", 5, "ESTABLISHED", "2001:db8:c::2", 40000, "2001:db8:a::10", 80, "2001:db8:b::11", 80),
            new("tcp", 5, "ESTABLISHED", "198.51.100.2", 40001, "192.0.2.10", 80, "2001:db8:b::12", 80),
        ];

        Assert.Equal(
            Header +
            "TCP 00:05  ESTABLISHED [2001:db8:c::2]:40000 [2001:db8:a::10]:80 [2001:db8:b::11]:80\n" +
            "TCP 00:05  ESTABLISHED 198.51.100.2:40001 192.0.2.10:80      [2001:db8:b::12]:80\n",
            Format(entries));
    }

    [Fact]
    public void Format_FwmarkTemplates_MarkShownAsTheKernelsVaddr()
    {
        // ip_vs_sched_persist keeps a fwmark template as <IPPROTO_IP, caddr, 0, htonl(mark), 0, daddr, dport>;
        // /proc prints vaddr as %08X (IPv4) or %pI6, and print_conn turns it back into an address.
        ConnectionEntry[] entries =
        [
            new("ip", 299, "NONE", "198.51.100.2", 0, "1", 0, "10.0.0.11", 0) { Template = true },
            new("ip", 7200, "NONE", "198.51.100.0", 0, "3000000000", 0, "10.0.0.12", 80) { Template = true },
            new("ip", 5, "NONE", "2001:db8:c::2", 0, "7", 0, "2001:db8:b::11", 0) { Template = true },
            new("tcp", 899, "ESTABLISHED", "198.51.100.2", 40312, "192.0.2.10", 80, "10.0.0.11", 80),
        ];

        Assert.Equal(
            Header +
            "IP  04:59  NONE        198.51.100.2:0     0.0.0.1:0          10.0.0.11:0\n" +
            "IP  120:00 NONE        198.51.100.0:0     178.208.94.0:0     10.0.0.12:80\n" +
            "IP  00:05  NONE        [2001:db8:c::2]:0  [0:7::]:0          [2001:db8:b::11]:0\n" +
            "TCP 14:59  ESTABLISHED 198.51.100.2:40312 192.0.2.10:80      10.0.0.11:80\n",
            Format(entries));
    }

    [Fact]
    public void Format_FwmarkTemplateWithoutNumeric_PortsStayNumbers()
    {
        ConnectionEntry[] entries = [new("ip", 61, "NONE", "198.51.100.2", 0, "1", 0, "10.0.0.11", 80) { Template = true }];

        Assert.Equal(
            Header + "IP  01:01  NONE        198.51.100.2:0     0.0.0.1:0          a-rather-long-real-server-name.example:80\n",
            Format(entries, numeric: false));
    }

    [Fact]
    public void Format_PersistentConn_PeHeaderShortLines()
    {
        ConnectionEntry[] entries = [new("udp", 10, "UDP", "198.51.100.2", 5353, "192.0.2.10", 53, "10.0.0.11", 53)];

        Assert.Equal(
            "IPVS connection entries\n" +
            "pro expire state       source             virtual            destination        pe name          pe_data\n" +
            "UDP 00:10  UDP         198.51.100.2:5353  192.0.2.10:53      10.0.0.11:53\n",
            Format(entries, persistentConn: true));
    }

    [Theory]
    [InlineData(0, "00:00")]
    [InlineData(9, "00:09")]
    [InlineData(60, "01:00")]
    [InlineData(900, "15:00")]
    [InlineData(5999, "99:59")]
    [InlineData(6000, "100:00")]
    [InlineData(-5, "00:00")]
    public void Expire_Seconds_MinutesColonSeconds(int seconds, string expected) =>
        Assert.Equal(expected, ConnectionFormatter.Expire(seconds));

    [Theory]
    [InlineData(900, 120, 300, "Timeout (tcp tcpfin udp): 900 120 300\n")]
    [InlineData(0, 0, 0, "Timeout (tcp tcpfin udp): 0 0 0\n")]
    [InlineData(7200, 60, 2678400, "Timeout (tcp tcpfin udp): 7200 60 2678400\n")]
    public void FormatTimeouts_IpvsadmLine(int tcp, int fin, int udp, string expected) =>
        Assert.Equal(expected, ConnectionFormatter.FormatTimeouts(new TimeoutSettings(tcp, fin, udp)));
}
