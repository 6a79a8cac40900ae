using System.Buffers.Binary;
using Lvs.Core.Connections;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests;

/// <summary>Persistence (-p, -M), port-0 services, thresholds (-x/-y) and one-packet scheduling (-o).</summary>
public class DirectorPersistenceTests
{
    private const byte Syn = TcpSegment.Syn, Ack = TcpSegment.Ack, Rst = TcpSegment.Rst;
    private static readonly uint Vip = PacketBuilder.Ip("192.0.2.10");
    private static readonly uint Rs1 = PacketBuilder.Ip("10.0.0.11");
    private static readonly uint Rs2 = PacketBuilder.Ip("10.0.0.12");
    private static readonly uint ClientA = PacketBuilder.Ip("198.51.100.2");
    private static readonly uint ClientA2 = PacketBuilder.Ip("198.51.100.3");
    private static readonly uint ClientB = PacketBuilder.Ip("198.51.101.2");

    private readonly ServiceTable _services = new(1);
    private readonly Director _director;

    public DirectorPersistenceTests() => _director = new Director(_services);

    private ServiceKey Tcp(ushort port) => new(IpProtocol.Tcp, Vip, port);

    private void AddService(ushort port, ServiceSettings settings, ForwardMethod method = ForwardMethod.Masquerade, int upper = 0, int lower = 0)
    {
        Assert.Equal(TableResult.Ok, _services.AddService(Tcp(port), settings));
        _services.AddServer(Tcp(port), Rs1, 8080, method, 1, upperThreshold: upper, lowerThreshold: lower);
        _services.AddServer(Tcp(port), Rs2, 8080, method, 1); // thresholds on rs1 only
    }

    private (uint Dest, ushort Port) Connect(uint client, ushort sport, ushort dport = 80, long now = 0)
    {
        byte[] frame = PacketBuilder.Tcp(client, sport, Vip, dport, Syn);
        Verdict v = _director.Process(frame, default, now);
        Assert.Equal(VerdictKind.Forward, v.Kind);
        return (v.NextHop.V4, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14 + 20 + 2)));
    }

    [Fact]
    public void Persistent_SameClientStaysOtherClientMovesOn()
    {
        AddService(80, new ServiceSettings("rr", Persistent: true));

        uint first = Connect(ClientA, 40000).Dest;
        Assert.Equal(first, Connect(ClientA, 40001).Dest);
        Assert.Equal(first, Connect(ClientA, 40002).Dest);
        uint other = Connect(ClientB, 40000).Dest;

        Assert.NotEqual(first, other);
        RealServer[] servers = _services.Lookup(Tcp(80))!.Destinations;
        Assert.All(servers, s => Assert.Equal(1, s.PersistConns));
        Assert.Equal(4 + 2, _director.Connections.Count); // 4 connections, 2 templates
    }

    [Fact]
    public void Persistent_NetmaskGroupsClients()
    {
        AddService(80, new ServiceSettings("rr", Persistent: true, PersistenceMask: 0xFFFF_FF00));

        Assert.Equal(Connect(ClientA, 40000).Dest, Connect(ClientA2, 40000).Dest);
        Assert.NotEqual(Connect(ClientA, 40001).Dest, Connect(ClientB, 40000).Dest);
    }

    [Fact]
    public void Persistent_TemplateOutlivesItsConnectionsThenExpires()
    {
        AddService(80, new ServiceSettings("rr", Persistent: true, PersistenceTimeoutMs: 60_000));
        uint first = Connect(ClientA, 40000, now: 0).Dest;

        // The connection closes (ESTABLISHED, then RST: CLOSE, 10 s); the template (60 s) stays.
        _director.Process(PacketBuilder.Tcp(ClientA, 40000, Vip, 80, Ack), default, 500);
        _director.Process(PacketBuilder.Tcp(ClientA, 40000, Vip, 80, Rst), default, 1_000);
        _director.Tick(20_000);
        Assert.Equal(1, _director.Connections.Count);            // only the template is left
        Assert.Equal(first, Connect(ClientA, 40001, now: 30_000).Dest); // and it still holds
        _director.Process(PacketBuilder.Tcp(ClientA, 40001, Vip, 80, Ack), default, 30_001);
        _director.Process(PacketBuilder.Tcp(ClientA, 40001, Vip, 80, Rst), default, 30_002);

        // ...the new connection refreshed it: 30 s + 60 s.
        _director.Tick(89_000);
        Assert.Equal(1, _director.Connections.Count);
        _director.Tick(90_000 + ConnectionTable.TickMs);
        Assert.Equal(0, _director.Connections.Count);
        Assert.All(_services.Lookup(Tcp(80))!.Destinations, s => Assert.Equal(0, s.PersistConns));
    }

    [Fact]
    public void Persistent_TemplateWithLiveConnectionDoesNotExpire()
    {
        AddService(80, new ServiceSettings("rr", Persistent: true, PersistenceTimeoutMs: 10_000));
        Connect(ClientA, 40000, now: 0);
        _director.Process(PacketBuilder.Tcp(ClientA, 40000, Vip, 80, Ack), default, 1); // ESTABLISHED, 900 s

        _director.Tick(50_000);

        Assert.Equal(2, _director.Connections.Count);
    }

    [Fact]
    public void Persistent_ServerDeleted_ClientScheduledAfresh()
    {
        AddService(80, new ServiceSettings("rr", Persistent: true));
        uint first = Connect(ClientA, 40000).Dest;
        _services.DeleteServer(Tcp(80), first, 8080);

        uint next = Connect(ClientA, 40001).Dest;

        Assert.NotEqual(first, next);
        Assert.Equal(next, Connect(ClientA, 40002).Dest);
    }

    [Fact]
    public void PortZero_AllPortsOfTheVipStickAndKeepTheirPort()
    {
        // Servers without a port keep each connection's own port (dest->port ? dest->port : vport).
        Assert.Equal(TableResult.Ok, _services.AddService(Tcp(0), new ServiceSettings("rr", Persistent: true)));
        _services.AddServer(Tcp(0), Rs1, 0, ForwardMethod.Masquerade, 1);
        _services.AddServer(Tcp(0), Rs2, 0, ForwardMethod.Masquerade, 1);

        (uint dest80, ushort port80) = Connect(ClientA, 40000, dport: 80);
        (uint dest443, ushort port443) = Connect(ClientA, 40001, dport: 443);

        Assert.Equal(dest80, dest443);
        Assert.Equal((80, 443), (port80, port443));
        Assert.NotEqual(dest80, Connect(ClientB, 40000, dport: 8443).Dest);
    }

    [Fact]
    public void PortZero_ServerWithAPort_GetsThatPort()
    {
        AddService(0, new ServiceSettings("rr", Persistent: true));

        Assert.Equal(8080, Connect(ClientA, 40000, dport: 443).Port);
    }

    [Fact]
    public void Fwmark_MarkedPacketsReachTheMarkServiceAndPersistPerMark()
    {
        _services.Marks = new FwmarkClassifier(
        [
            new FwmarkRule(7, IpProtocol.Tcp, Vip, 0xFFFF_FFFF, DestinationPorts: [new PortRange(80, 80), new PortRange(443, 443)]),
        ]);
        ServiceKey fwm = ServiceKey.ForFwmark(7);
        Assert.Equal(TableResult.Ok, _services.AddService(fwm, new ServiceSettings("rr", Persistent: true)));
        _services.AddServer(fwm, Rs1, 0, ForwardMethod.Masquerade, 1);
        _services.AddServer(fwm, Rs2, 0, ForwardMethod.Masquerade, 1);

        (uint dest80, ushort port80) = Connect(ClientA, 40000, dport: 80);
        (uint dest443, ushort port443) = Connect(ClientA, 40001, dport: 443);

        Assert.Equal(dest80, dest443);              // one template for the mark, across ports
        Assert.Equal((80, 443), (port80, port443)); // servers without a port keep the packet's
        Assert.NotEqual(dest80, Connect(ClientB, 40000, dport: 80).Dest);
        Assert.Equal(VerdictKind.Pass, _director.Process(PacketBuilder.Tcp(ClientA, 40002, Vip, 22, Syn), default, 0).Kind);
        Assert.True(_director.Connections.TryFindTemplate(IpProtocol.Ip, ClientA, 7, 0, out _));
    }

    [Fact]
    public void ExpireNodestConn_DeletedServersConnectionExpiresOnItsNextPacket()
    {
        AddService(80, new ServiceSettings("rr"));
        uint first = Connect(ClientA, 40000).Dest;
        _services.DeleteServer(Tcp(80), first, 8080);

        // Off: the connection keeps its server (a graceful drain).
        Assert.Equal(first, _director.Process(PacketBuilder.Tcp(ClientA, 40000, Vip, 80, Ack), default, 1).NextHop);

        _director.ExpireNodestConn = true;
        Verdict v = _director.Process(PacketBuilder.Tcp(ClientA, 40000, Vip, 80, Ack), default, 2);

        Assert.Equal(DropReason.DestinationRemoved, v.Reason);
        Assert.Equal(0, _director.Connections.Count);
    }

    [Fact]
    public void Thresholds_UpperOverloadsAndThreeQuartersResumes()
    {
        AddService(80, new ServiceSettings("rr"), upper: 2);
        RealServer rs1 = _services.Lookup(Tcp(80))!.Destinations.Single(d => d.Address == Rs1);

        // The list is newest first (rs2, rs1), so rr alternates rs2, rs1, rs2, rs1 (now 2 = upper:
        // overloaded), then rs2 only.
        uint[] picks = [.. Enumerable.Range(0, 6).Select(i => Connect(ClientA, (ushort)(40000 + i)).Dest)];
        Assert.Equal([Rs2, Rs1, Rs2, Rs1, Rs2, Rs2], picks);
        Assert.True(rs1.Overloaded);

        // One of rs1's two connections closes: 1 * 4 < 2 * 3, so it resumes.
        _director.Process(PacketBuilder.Tcp(ClientA, 40001, Vip, 80, Ack), default, 1);
        _director.Process(PacketBuilder.Tcp(ClientA, 40001, Vip, 80, Rst), default, 2);
        _director.Tick(20_000);
        Assert.Equal(1, rs1.TotalConns);
        Assert.False(rs1.Overloaded);
    }

    [Fact]
    public void OnePacket_EachDatagramScheduledRepliesStillTranslated()
    {
        var key = new ServiceKey(IpProtocol.Udp, Vip, 53);
        _services.AddService(key, new ServiceSettings("rr", OnePacket: true));
        _services.AddServer(key, Rs1, 53, ForwardMethod.Masquerade, 1);
        _services.AddServer(key, Rs2, 53, ForwardMethod.Masquerade, 1);

        uint first = _director.Process(PacketBuilder.Udp(ClientA, 5353, Vip, 53, [1]), default, 0).NextHop.V4;
        byte[] reply = PacketBuilder.Udp(first, 53, ClientA, 5353, [2]);
        Verdict r = _director.Process(reply, default, 1);
        uint second = _director.Process(PacketBuilder.Udp(ClientA, 5353, Vip, 53, [3]), default, 2).NextHop.V4;

        Assert.NotEqual(first, second);
        Assert.Equal(VerdictKind.Forward, r.Kind);
        Assert.Equal(Vip, BinaryPrimitives.ReadUInt32BigEndian(reply.AsSpan(14 + 12)));
        Assert.Equal(2, _services.Lookup(key)!.Counters.Totals.Conns);
    }
}
