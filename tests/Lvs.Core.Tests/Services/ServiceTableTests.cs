using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests.Services;

public class ServiceTableTests
{
    private static readonly uint Vip = PacketBuilder.Ip("192.0.2.10");
    private static readonly uint Client = PacketBuilder.Ip("198.51.100.2");
    private static readonly uint Rs1 = PacketBuilder.Ip("10.0.0.11");
    private static readonly uint Rs2 = PacketBuilder.Ip("10.0.0.12");
    private static readonly ServiceKey Http = new(IpProtocol.Tcp, Vip, 80);

    [Fact]
    public void AddService_NewThenDuplicateThenUnknownScheduler_Results()
    {
        var table = new ServiceTable(1);
        int changes = 0;
        table.Changed += () => changes++;

        Assert.Equal(TableResult.Ok, table.AddService(Http, "rr"));
        Assert.Equal(TableResult.ServiceExists, table.AddService(Http, "wrr"));
        Assert.Equal(TableResult.UnknownScheduler, table.AddService(new ServiceKey(IpProtocol.Tcp, Vip, 443), "bogus"));
        Assert.Equal(TableResult.Ok, table.AddService(new ServiceKey(IpProtocol.Udp, Vip, 80), "wrr"));

        Assert.Equal(2, changes);
        Assert.Equal(2, table.Snapshot().Count);
        Assert.Equal("rr", table.Lookup(Http)!.Scheduler.Name);
        Assert.True(table.IsVirtualAddress(Vip));
        Assert.Null(table.Lookup(new ServiceKey(IpProtocol.Tcp, Vip, 443)));
    }

    [Fact]
    public void EditService_ExistingAndMissing_Results()
    {
        var table = new ServiceTable(1);
        table.AddService(Http, "rr");
        VirtualService svc = table.Lookup(Http)!;

        Assert.Equal(TableResult.Ok, table.EditService(Http, "wrr"));
        Assert.Equal(TableResult.UnknownScheduler, table.EditService(Http, "bogus"));
        Assert.Equal(TableResult.NoSuchService, table.EditService(new ServiceKey(IpProtocol.Tcp, Vip, 81), "rr"));

        Assert.Same(svc, table.Lookup(Http));
        Assert.Equal("wrr", svc.Scheduler.Name);
    }

    [Fact]
    public void DeleteService_RemovesLookupAndMarksServersUnavailable()
    {
        var table = new ServiceTable(1);
        table.AddService(Http, "rr");
        table.AddServer(Http, Rs1, 8080, ForwardMethod.Masquerade, 1);
        RealServer server = table.Lookup(Http)!.Destinations[0];

        Assert.Equal(TableResult.Ok, table.DeleteService(Http));
        Assert.Equal(TableResult.NoSuchService, table.DeleteService(Http));

        Assert.Null(table.Lookup(Http));
        Assert.False(table.IsVirtualAddress(Vip));
        Assert.False(table.IsNatRealServer(new ServiceKey(IpProtocol.Tcp, Rs1, 8080)));
        Assert.False(server.Available);
    }

    [Fact]
    public void AddEditDeleteServer_Results()
    {
        var table = new ServiceTable(2);
        var missing = new ServiceKey(IpProtocol.Tcp, Vip, 81);
        table.AddService(Http, "wrr");

        Assert.Equal(TableResult.Ok, table.AddServer(Http, Rs1, 8080, ForwardMethod.Masquerade, 3));
        Assert.Equal(TableResult.DestinationExists, table.AddServer(Http, Rs1, 8080, ForwardMethod.DirectRoute, 1));
        Assert.Equal(TableResult.Ok, table.AddServer(Http, Rs1, 8081, ForwardMethod.Masquerade, 1));
        Assert.Equal(TableResult.NoSuchService, table.AddServer(missing, Rs1, 8080, ForwardMethod.Masquerade, 1));

        Assert.Equal(TableResult.Ok, table.EditServer(Http, Rs1, 8080, ForwardMethod.DirectRoute, 7));
        Assert.Equal(TableResult.NoSuchDestination, table.EditServer(Http, Rs2, 8080, ForwardMethod.Masquerade, 1));
        Assert.Equal(TableResult.NoSuchService, table.EditServer(missing, Rs1, 8080, ForwardMethod.Masquerade, 1));

        RealServer edited = table.Lookup(Http)!.Destinations.Single(d => d.Port == 8080);
        Assert.Equal(7, edited.Weight);
        Assert.Equal(ForwardMethod.DirectRoute, edited.Method);
        Assert.False(table.IsNatRealServer(new ServiceKey(IpProtocol.Tcp, Rs1, 8080)));
        Assert.True(table.IsNatRealServer(new ServiceKey(IpProtocol.Tcp, Rs1, 8081)));

        Assert.Equal(TableResult.Ok, table.DeleteServer(Http, Rs1, 8080));
        Assert.Equal(TableResult.NoSuchDestination, table.DeleteServer(Http, Rs1, 8080));
        Assert.Equal(TableResult.NoSuchService, table.DeleteServer(missing, Rs1, 8081));
        Assert.False(edited.Available);
        Assert.Single(table.Lookup(Http)!.Destinations);
    }

    [Fact]
    public void DeleteServer_ExistingConnectionsKeepForwarding_NewOnesGoElsewhere()
    {
        var table = new ServiceTable(1);
        table.AddService(Http, "rr");
        table.AddServer(Http, Rs2, 8080, ForwardMethod.Masquerade, 1);
        table.AddServer(Http, Rs1, 8080, ForwardMethod.Masquerade, 1); // newest first, as ip_vs: [Rs1, Rs2]
        var director = new Director(table);

        Assert.Equal(Rs1, Syn(director, 50000).NextHop);
        Assert.Equal(Rs2, Syn(director, 50001).NextHop);

        Assert.Equal(TableResult.Ok, table.DeleteServer(Http, Rs1, 8080));

        // The old connection to Rs1 still goes there, both ways; new ones only to Rs2.
        byte[] data = PacketBuilder.Tcp(Client, 50000, Vip, 80, TcpSegment.Ack);
        Verdict v = director.Process(data, default, 2);
        Assert.Equal(VerdictKind.Forward, v.Kind);
        Assert.Equal(Rs1, v.NextHop);
        byte[] reply = PacketBuilder.Tcp(Rs1, 8080, Client, 50000, TcpSegment.Ack);
        Assert.Equal(Client, director.Process(reply, default, 3).NextHop);
        Assert.True(PacketBuilder.TransportChecksumValid(reply));

        for (int port = 50002; port < 50006; port++)
        {
            Assert.Equal(Rs2, Syn(director, (ushort)port).NextHop);
        }
    }

    [Fact]
    public void EditService_SchedulerChange_KeepsConnections()
    {
        var table = new ServiceTable(1);
        table.AddService(Http, "rr");
        table.AddServer(Http, Rs2, 8080, ForwardMethod.Masquerade, 1);
        table.AddServer(Http, Rs1, 8080, ForwardMethod.Masquerade, 1); // newest first, as ip_vs: [Rs1, Rs2]
        var director = new Director(table);
        Assert.Equal(Rs1, Syn(director, 50000).NextHop);
        Assert.Equal(Rs2, Syn(director, 50001).NextHop);

        Assert.Equal(TableResult.Ok, table.EditService(Http, "wrr"));
        table.EditServer(Http, Rs1, 8080, ForwardMethod.Masquerade, 0);

        Assert.Equal(2, director.Connections.Count);
        Assert.Equal(Rs1, director.Process(PacketBuilder.Tcp(Client, 50000, Vip, 80, TcpSegment.Ack), default, 5).NextHop);
        Assert.Equal(Rs2, director.Process(PacketBuilder.Tcp(Client, 50001, Vip, 80, TcpSegment.Ack), default, 5).NextHop);
        Assert.Equal(Rs2, Syn(director, 50002).NextHop);
        Assert.Equal(Rs2, Syn(director, 50003).NextHop);
    }

    [Fact]
    public void Zero_ResetsTrafficTotalsButNotConnectionCounts()
    {
        var table = new ServiceTable(1);
        table.AddService(Http, "rr");
        table.AddServer(Http, Rs1, 8080, ForwardMethod.Masquerade, 1);
        var director = new Director(table);
        Syn(director, 50000);
        VirtualService svc = table.Lookup(Http)!;
        Assert.Equal(1, svc.Counters.Totals.Conns);
        Assert.Equal(1, svc.Counters.Totals.InPackets);

        Assert.Equal(TableResult.Ok, table.Zero(Http));
        Assert.Equal(TableResult.NoSuchService, table.Zero(new ServiceKey(IpProtocol.Udp, Vip, 80)));

        Assert.Equal(default, svc.Counters.Totals);
        Assert.Equal(default, svc.Destinations[0].Counters.Totals);
        Assert.Equal(1, svc.Destinations[0].Counters.InactiveConns);
    }

    [Fact]
    public void Clear_RemovesEverything()
    {
        var table = new ServiceTable(1);
        table.AddService(Http, "rr");
        table.AddServer(Http, Rs1, 8080, ForwardMethod.Masquerade, 1);

        table.Clear();

        Assert.Empty(table.Snapshot());
        Assert.Null(table.Lookup(Http));
    }

    private static Verdict Syn(Director director, ushort port)
    {
        Verdict v = director.Process(PacketBuilder.Tcp(Client, port, Vip, 80, TcpSegment.Syn), default, 1);
        Assert.Equal(VerdictKind.Forward, v.Kind);
        return v;
    }
}
