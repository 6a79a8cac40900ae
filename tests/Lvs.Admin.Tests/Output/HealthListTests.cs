using System.Text.Json;
using Lvs.Admin.Output;
using Lvs.Contracts;

namespace Lvs.Admin.Tests.Output;

/// <summary>lvsadm -L -n --health (our extension) and the health members of the JSON listing.</summary>
public class HealthListTests
{
    private static readonly TrafficStats Zero = new(0, 0, 0, 0, 0);
    private static readonly DateTimeOffset Since = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private static ServiceStatus Service() =>
        new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "wrr", Zero,
        [
            new RealServerStatus("10.0.0.12", 80, "masq", 1, 0, 0, Zero) { Health = new ServerHealth("up", "TCP_CHECK: connected", Since) { ConfiguredWeight = 2, DynamicWeight = 1 } },
            new RealServerStatus("10.0.0.13", 80, "masq", 0, 0, 0, Zero),
            new RealServerStatus("10.0.0.99", 80, "masq", 1, 0, 0, Zero),
        ])
        {
            RemovedServers = [new RemovedServer("10.0.0.11", 80, "masq", new ServerHealth("down", "TCP_CHECK: connection refused", Since) { ConfiguredWeight = 3 })],
            SorryServer = "10.0.0.99:80",
            SorryActive = true,
        };

    private static string List(bool health, ServiceStatus service) =>
        new ListFormatter(new ListFormat(true, false, false, false, Health: health), new FakeNames())
            .FormatAll(new StatusSnapshot("1.2.1", 4096, 0, [service]));

    [Fact]
    public void FormatAll_Health_ColumnAndRemovedServers()
    {
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn  Health\n" +
            "TCP  192.0.2.10:80 wrr\n" +
            "  -> 10.0.0.12:80                 Masq    1      0          0          up weight 1/2\n" +
            "  -> 10.0.0.13:80                 Masq    0      0          0          -\n" +
            "  -> 10.0.0.99:80                 Masq    1      0          0          sorry (active)\n" +
            "  -> 10.0.0.11:80                 Masq    -      -          -          down: TCP_CHECK: connection refused (not in table)\n",
            List(true, Service()));
    }

    [Fact]
    public void FormatAll_WithoutHealth_IpvsadmFormatUnchanged()
    {
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  192.0.2.10:80 wrr\n" +
            "  -> 10.0.0.12:80                 Masq    1      0          0         \n" +
            "  -> 10.0.0.13:80                 Masq    0      0          0         \n" +
            "  -> 10.0.0.99:80                 Masq    1      0          0         \n",
            List(false, Service()));
    }

    [Fact]
    public void Json_WithoutHealth_NoHealthMembers()
    {
        var plain = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero, [new RealServerStatus("10.0.0.11", 80, "masq", 1, 0, 0, Zero)]);
        string json = JsonListing.Status(new StatusSnapshot("1.2.1", 4096, 0, [plain]));
        Assert.DoesNotContain("health", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("sorry", json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Json_WithHealth_RoundTrips()
    {
        string json = JsonListing.Status(new StatusSnapshot("1.2.1", 4096, 0, [Service()]));
        StatusSnapshot back = JsonSerializer.Deserialize(json, ControlJsonContext.Default.StatusSnapshot)!;
        ServiceStatus s = Assert.Single(back.Services);
        Assert.Equal("down", Assert.Single(s.RemovedServers!).Health.State);
        Assert.Equal(("up", 1, 2), (s.Servers[0].Health!.State, s.Servers[0].Health!.DynamicWeight, s.Servers[0].Health!.ConfiguredWeight));
        Assert.Equal(("10.0.0.99:80", true), (s.SorryServer, s.SorryActive));
        Assert.Contains("\"removedServers\"", json);
    }
}

public class HealthOptionTests
{
    [Fact]
    public void Parse_ListHealth_SetsHealth()
    {
        Lvs.Admin.CommandLine.ParsedCommand c = TestParsers.Parse("-L -n --health");
        Assert.True(c.Health);
        Assert.False(TestParsers.Parse("-L -n").Health);
    }

    [Fact]
    public void Parse_HealthWithAddServer_Refused() =>
        Assert.Throws<Lvs.Admin.CommandLine.CommandLineException>(() => TestParsers.Parse("-a -t 192.0.2.10:80 -r 10.0.0.11 --health"));
}
