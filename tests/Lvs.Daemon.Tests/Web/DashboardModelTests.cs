using Lvs.Contracts;
using Lvs.Daemon.Web;

using ServerHealth = Lvs.Daemon.Web.ServerHealth;
using VrrpInstanceStatus = Lvs.Daemon.Web.VrrpInstanceStatus;

namespace Lvs.Daemon.Tests.Web;

public class DashboardModelTests
{
    [Fact]
    public void From_WithHealth_JoinsVerdictToItsServerOnly()
    {
        WebSnapshot s = PrometheusTextTests.Fixed() with
        {
            Health = [new ServerHealth(new ServiceKey("tcp", "192.0.2.10", 80), "10.0.0.12", 80, false, "HTTP_GET")],
        };
        DashboardStatus d = DashboardStatus.From(s, []);
        Assert.True(d.Features.Health);
        DashboardServer down = d.Services[0].Servers.Single(r => r.Address == "10.0.0.12");
        Assert.False(down.Up);
        Assert.Equal("HTTP_GET", down.Checker);
        Assert.Null(d.Services[0].Servers.Single(r => r.Address == "10.0.0.11").Up);
        Assert.Null(d.Services[1].Servers[0].Up);
    }

    [Fact]
    public void From_WithoutSources_FeaturesOffAndNoVrrpOrSync()
    {
        DashboardStatus d = DashboardStatus.From(PrometheusTextTests.Fixed(), []);
        Assert.Equal(new DashboardFeatures(false, false, false), d.Features);
        Assert.Null(d.Vrrp);
        Assert.Null(d.Sync);
    }

    [Theory]
    [InlineData("tcp", "192.0.2.10", 80, 0u, "TCP 192.0.2.10:80")]
    [InlineData("udp", "192.0.2.53", 53, 0u, "UDP 192.0.2.53:53")]
    [InlineData("tcp", "2001:db8:a::10", 443, 0u, "TCP [2001:db8:a::10]:443")]
    [InlineData("fwmark", "", 0, 26u, "FWM 26")]
    public void Name_AsIpvsadmPrintsIt(string protocol, string address, int port, uint mark, string expected) =>
        Assert.Equal(expected, DashboardStatus.Name(new ServiceKey(protocol, address, (ushort)port) { Fwmark = mark }));
}
