using Lvs.Core.Services;

namespace Lvs.Core.Tests.Services;

public class ServiceTableConfigurationTests
{
    private static readonly ServiceKey Http = new(IpProtocol.Tcp, Ipv4.Parse("192.0.2.10"), 80);
    private static readonly ServiceKey Dns = new(IpProtocol.Udp, Ipv4.Parse("192.0.2.10"), 53);
    private static readonly uint Rs1 = Ipv4.Parse("10.0.0.11"), Rs2 = Ipv4.Parse("10.0.0.12"), Rs3 = Ipv4.Parse("10.0.0.13");

    private static RealServerDefinition Masq(uint address, int weight) => new(address, 80, ForwardMethod.Masquerade, weight);

    [Fact]
    public void Apply_ThenExport_RoundTrips()
    {
        var table = new ServiceTable(1);
        var config = new Configuration(
        [
            new ServiceDefinition(Http, new ServiceSettings("wlc", Persistent: true), [Masq(Rs2, 3), Masq(Rs1, 1)]),
            new ServiceDefinition(Dns, new ServiceSettings("rr", OnePacket: true), [new RealServerDefinition(Rs1, 53, ForwardMethod.Masquerade, 1)]),
        ]);

        Assert.True(table.Apply(config, out string? error), error);

        Configuration back = table.Export();
        Assert.Equal(config.Services.Select(s => (s.Key, s.Settings)), back.Services.Select(s => (s.Key, s.Settings)));
        Assert.Equal(config.Services[0].Servers, back.Services[0].Servers);
    }

    [Fact]
    public void Apply_Difference_KeepsObjectsChangesWeightsDrainsRemoved()
    {
        var table = new ServiceTable(1);
        table.Apply(new Configuration([new ServiceDefinition(Http, new ServiceSettings("wrr"), [Masq(Rs2, 1), Masq(Rs1, 1)])]), out _);
        VirtualService svc = table.Lookup(Http)!;
        RealServer rs1 = svc.Destinations.Single(d => d.Address == Rs1);
        RealServer rs2 = svc.Destinations.Single(d => d.Address == Rs2);
        var scheduler = svc.Scheduler;

        Assert.True(table.Apply(new Configuration([new ServiceDefinition(Http, new ServiceSettings("wrr"), [Masq(Rs3, 1), Masq(Rs1, 5)])]), out _));

        Assert.Same(svc, table.Lookup(Http));
        Assert.Same(scheduler, svc.Scheduler);           // same scheduler and flags: state kept
        Assert.Same(rs1, svc.Destinations.Single(d => d.Address == Rs1));
        Assert.Equal(5, rs1.Weight);
        Assert.False(rs2.Available);                     // removed: its connections drain
        Assert.Equal([Rs3, Rs1], svc.Destinations.Select(d => d.Address));
    }

    [Fact]
    public void Apply_Invalid_NothingChanges()
    {
        var table = new ServiceTable(1);
        table.Apply(new Configuration([new ServiceDefinition(Http, new ServiceSettings("rr"), [Masq(Rs1, 1)])]), out _);

        Assert.False(table.Apply(new Configuration([new ServiceDefinition(Dns, new ServiceSettings("bogus"), [])]), out string? e1));
        Assert.Contains("unknown scheduler", e1);
        Assert.False(table.Apply(new Configuration([new ServiceDefinition(Http, new ServiceSettings("rr"), [Masq(Rs1, 1), Masq(Rs1, 2)])]), out string? e2));
        Assert.Contains("declared twice", e2);
        Assert.False(table.Apply(new Configuration([new ServiceDefinition(Http, new ServiceSettings("rr"), [Masq(Rs1, 70000)])]), out _));

        Assert.Single(table.Export().Services);
        Assert.Equal(1, table.Lookup(Http)!.Destinations[0].Weight);
    }

    [Fact]
    public void Builder_RehearsesCommandsWithTheTablesResults()
    {
        var builder = new ConfigurationBuilder(Configuration.Empty);

        Assert.Equal(TableResult.Ok, builder.AddService(Http, new ServiceSettings("rr")));
        Assert.Equal(TableResult.ServiceExists, builder.AddService(Http, new ServiceSettings("rr")));
        Assert.Equal(TableResult.UnknownScheduler, builder.AddService(Dns, new ServiceSettings("nope")));
        Assert.Equal(TableResult.Ok, builder.AddServer(Http, Rs1, 80, ForwardMethod.Masquerade, 1));
        Assert.Equal(TableResult.Ok, builder.AddServer(Http, Rs2, 80, ForwardMethod.Masquerade, 1));
        Assert.Equal(TableResult.DestinationExists, builder.AddServer(Http, Rs1, 80, ForwardMethod.Masquerade, 1));
        Assert.Equal(TableResult.NoSuchDestination, builder.EditServer(Http, Rs3, 80, ForwardMethod.Masquerade, 1));
        Assert.Equal(TableResult.NoSuchService, builder.DeleteService(Dns));
        Assert.Equal(TableResult.Ok, builder.EditServer(Http, Rs1, 80, ForwardMethod.Masquerade, 4));

        Configuration c = builder.Build();
        Assert.Equal([Rs2, Rs1], c.Services[0].Servers.Select(s => s.Address)); // newest first
        Assert.Equal(4, c.Services[0].Servers[1].Weight);
    }

    [Theory]
    [InlineData(ForwardMethod.Masquerade, false)]
    [InlineData(ForwardMethod.DirectRoute, false)]
    [InlineData(ForwardMethod.Tunnel, true)]
    public void Apply_Ipv6ServiceIpv4Server_OnlyATunnelMayMixFamilies(ForwardMethod method, bool accepted)
    {
        var table = new ServiceTable(workers: 1);
        var v6 = new ServiceKey(IpProtocol.Tcp, Lvs.Core.Packets.Ipv6Address.Parse("2001:db8:a::1"), 80);
        var config = new Configuration([new ServiceDefinition(v6, new ServiceSettings("rr"),
            [new RealServerDefinition(InetAddress.Parse("203.0.113.5"), 80, method, 1)])]);

        Assert.Equal(accepted, table.Apply(config, out string? error));
        Assert.Equal(accepted, error is null);
        Assert.Equal(accepted ? 1 : 0, table.Snapshot().Count);
        if (!accepted)
        {
            Assert.Contains("Different address family is allowed only for tunneling servers", error);
        }
    }
}
