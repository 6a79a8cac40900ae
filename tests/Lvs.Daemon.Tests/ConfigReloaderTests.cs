using Lvs.Core.Connections;
using Lvs.Core.Services;

namespace Lvs.Daemon.Tests;

public sealed class ConfigReloaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lvsd-reload-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Conf(int weight) => $$"""
        global_defs {
          lvs_timeouts tcp 3600 tcpfin 60 udp 30
        }
        virtual_server 192.0.2.10 80 {
          lb_algo wrr
          lb_kind NAT
          real_server 10.0.0.11 80 { weight {{weight}} }
          real_server 10.0.0.12 80 { weight 1 }
        }
        """;

    [Fact]
    public void Reload_ValidThenChangedThenBroken_AppliesByDifferenceAndRefusesWhole()
    {
        string path = Path.Combine(_dir, "keepalived.conf");
        var services = new ServiceTable(1);
        var timeouts = new ConnectionTimeouts();
        var reloader = new ConfigReloader(path, services, timeouts);

        File.WriteAllText(path, Conf(3));
        Assert.True(reloader.Reload("test").Ok);
        VirtualService svc = Assert.Single(services.Snapshot());
        RealServer rs1 = svc.Destinations.Single(d => d.Address == Ipv4.Parse("10.0.0.11"));
        Assert.Equal((3, "wrr", ForwardMethod.Masquerade), (rs1.Weight, svc.Scheduler.Name, rs1.Method));
        Assert.Equal(3_600_000, timeouts.Tcp(TcpState.Established));

        File.WriteAllText(path, Conf(7));
        Assert.True(reloader.Reload("test").Ok);
        Assert.Same(svc, Assert.Single(services.Snapshot()));
        Assert.Same(rs1, svc.Destinations.Single(d => d.Address == Ipv4.Parse("10.0.0.11")));
        Assert.Equal(7, rs1.Weight);

        File.WriteAllText(path, Conf(9) + "virtual_server 192.0.2.11 80 {\n");
        var refused = reloader.Reload("test");
        Assert.False(refused.Ok);
        Assert.Contains("keepalived.conf:9:", refused.Message); // the unclosed block, where it opens
        Assert.Equal(7, rs1.Weight);
        Assert.Single(services.Snapshot());
    }
}
