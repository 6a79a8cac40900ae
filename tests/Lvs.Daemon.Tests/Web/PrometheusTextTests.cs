using Lvs.Contracts;
using Lvs.Daemon.Web;

using ServerHealth = Lvs.Daemon.Web.ServerHealth;
using VrrpInstanceStatus = Lvs.Daemon.Web.VrrpInstanceStatus;

namespace Lvs.Daemon.Tests.Web;

public class PrometheusTextTests
{
    private static readonly TrafficStats Zero = new(0, 0, 0, 0, 0);

    internal static WebSnapshot Fixed() => new(
        new StatusSnapshot("1.2.1", 4096, 7,
        [
            new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", new TrafficStats(10, 100, 90, 6000, 120000),
            [
                new RealServerStatus("10.0.0.11", 8080, "masq", 1, 2, 3, new TrafficStats(6, 60, 50, 3600, 70000)),
                new RealServerStatus("10.0.0.12", 80, "masq", 3, 1, 0, new TrafficStats(4, 40, 40, 2400, 50000)),
            ]),
            new ServiceStatus(ServiceKey.ForFwmark(26), "wlc", new TrafficStats(1, 2, 0, 120, 0),
            [
                new RealServerStatus("203.0.113.11", 0, "route", 5, 0, 1, new TrafficStats(1, 2, 0, 120, 0)),
            ]),
            new ServiceStatus(new ServiceKey("udp", "192.0.2.53", 53), "rr", Zero, []),
        ]),
        [new DropCount("no-connection", 12), new DropCount("ip-checksum", 0)],
        [1234, 0]);

    [Fact]
    public void Write_Totals_SumOfServicesWithNodeExporterHelpAndType()
    {
        string text = PrometheusText.Write(Fixed());
        Assert.Contains(
            "# HELP node_ipvs_connections_total The total number of connections made.\n"
            + "# TYPE node_ipvs_connections_total counter\n"
            + "node_ipvs_connections_total 11\n", text);
        Assert.Contains("node_ipvs_incoming_packets_total 102\n", text);
        Assert.Contains("node_ipvs_outgoing_packets_total 90\n", text);
        Assert.Contains("# HELP node_ipvs_incoming_bytes_total The total amount of incoming data.\n", text);
        Assert.Contains("node_ipvs_incoming_bytes_total 6120\n", text);
        Assert.Contains("node_ipvs_outgoing_bytes_total 120000\n", text);
    }

    [Fact]
    public void Write_Backends_LabelsInNodeExporterOrder()
    {
        string text = PrometheusText.Write(Fixed());
        Assert.Contains(
            "# HELP node_ipvs_backend_connections_active The current active connections by local and remote address.\n"
            + "# TYPE node_ipvs_backend_connections_active gauge\n"
            + "node_ipvs_backend_connections_active{local_address=\"192.0.2.10\",local_port=\"80\",remote_address=\"10.0.0.11\",remote_port=\"8080\",proto=\"TCP\",local_mark=\"\"} 2\n"
            + "node_ipvs_backend_connections_active{local_address=\"192.0.2.10\",local_port=\"80\",remote_address=\"10.0.0.12\",remote_port=\"80\",proto=\"TCP\",local_mark=\"\"} 1\n",
            text);
        Assert.Contains("node_ipvs_backend_connections_inactive{local_address=\"192.0.2.10\",local_port=\"80\",remote_address=\"10.0.0.11\",remote_port=\"8080\",proto=\"TCP\",local_mark=\"\"} 3\n", text);
        Assert.Contains("node_ipvs_backend_weight{local_address=\"192.0.2.10\",local_port=\"80\",remote_address=\"10.0.0.12\",remote_port=\"80\",proto=\"TCP\",local_mark=\"\"} 3\n", text);
        Assert.Contains("lvs_backend_outgoing_bytes_total{local_address=\"192.0.2.10\",local_port=\"80\",remote_address=\"10.0.0.11\",remote_port=\"8080\",proto=\"TCP\",local_mark=\"\"} 70000\n", text);
    }

    [Fact]
    public void Write_FwmarkService_EmptyAddressPortZeroMarkInHex()
    {
        string text = PrometheusText.Write(Fixed());
        Assert.Contains("node_ipvs_backend_weight{local_address=\"\",local_port=\"0\",remote_address=\"203.0.113.11\",remote_port=\"0\",proto=\"FWM\",local_mark=\"0000001A\"} 5\n", text);
    }

    [Fact]
    public void Write_OwnSeries_DropsConnectionsWorkers()
    {
        string text = PrometheusText.Write(Fixed());
        Assert.Contains("# TYPE lvs_drops_total counter\nlvs_drops_total{reason=\"no-connection\"} 12\nlvs_drops_total{reason=\"ip-checksum\"} 0\n", text);
        Assert.Contains("lvs_connections 7\n", text);
        Assert.Contains("lvs_connection_table_size 4096\n", text);
        Assert.Contains("lvs_worker_packets_total{worker=\"0\"} 1234\nlvs_worker_packets_total{worker=\"1\"} 0\n", text);
    }

    [Fact]
    public void Write_WithoutOptionalSources_NoHealthVrrpOrSyncSeries()
    {
        string text = PrometheusText.Write(Fixed());
        Assert.DoesNotContain("lvs_backend_up", text);
        Assert.DoesNotContain("lvs_vrrp", text);
        Assert.DoesNotContain("lvs_sync", text);
    }

    [Fact]
    public void Write_WithSources_HealthVrrpSyncSeries()
    {
        WebSnapshot s = Fixed() with
        {
            Health = [new ServerHealth(new ServiceKey("tcp", "192.0.2.10", 80), "10.0.0.12", 80, false, "TCP_CHECK")],
            Vrrp = [new VrrpInstanceStatus("VI_1", 51, "MASTER", 150)],
            Sync = new SyncCounters(5, 7, 1),
        };
        string text = PrometheusText.Write(s);
        Assert.Contains("lvs_backend_up{local_address=\"192.0.2.10\",local_port=\"80\",remote_address=\"10.0.0.12\",remote_port=\"80\",proto=\"TCP\",local_mark=\"\"} 0\n", text);
        Assert.Contains("lvs_vrrp_state{instance=\"VI_1\",vrid=\"51\",state=\"BACKUP\"} 0\nlvs_vrrp_state{instance=\"VI_1\",vrid=\"51\",state=\"MASTER\"} 1\n", text);
        Assert.Contains("lvs_vrrp_priority{instance=\"VI_1\",vrid=\"51\"} 150\n", text);
        Assert.Contains("lvs_sync_messages_sent_total 5\n", text);
        Assert.Contains("lvs_sync_messages_received_total 7\n", text);
        Assert.Contains("lvs_sync_messages_dropped_total 1\n", text);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a\"b", "a\\\"b")]
    [InlineData("a\\b", "a\\\\b")]
    [InlineData("line\nbreak", "line\\nbreak")]
    public void EscapeLabel_SpecialCharacters_Escaped(string value, string expected) =>
        Assert.Equal(expected, PrometheusText.EscapeLabel(value));

    [Fact]
    public void Write_LabelWithQuote_EscapedInSample()
    {
        WebSnapshot s = Fixed() with { Vrrp = [new VrrpInstanceStatus("we\"ird\\name\n", 1, "BACKUP", 100)] };
        Assert.Contains("lvs_vrrp_priority{instance=\"we\\\"ird\\\\name\\n\",vrid=\"1\"} 100\n", PrometheusText.Write(s));
    }

    [Fact]
    public void Write_EveryLine_IsCommentOrWellFormedSample()
    {
        WebSnapshot s = Fixed() with { Sync = new SyncCounters(1, 2, 3), Vrrp = [new VrrpInstanceStatus("x y", 9, "FAULT", 0)] };
        string text = PrometheusText.Write(s);
        Assert.EndsWith("\n", text);
        var seenTypes = new HashSet<string>();
        var sample = new System.Text.RegularExpressions.Regex(
            "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*\\})? [0-9]+$");
        foreach (string line in text.TrimEnd('\n').Split('\n'))
        {
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                Assert.True(seenTypes.Add(line.Split(' ')[2]), $"TYPE twice: {line}");
                continue;
            }

            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                continue;
            }

            System.Text.RegularExpressions.Match m = sample.Match(line);
            Assert.True(m.Success, $"not a sample: {line}");
            Assert.Contains(m.Groups[1].Value, seenTypes);
        }
    }
}
