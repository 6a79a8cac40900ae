using Lvs.Core.Connections;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.Forwarding;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests;

public class DirectorTests
{
    private const byte Syn = TcpSegment.Syn, Ack = TcpSegment.Ack, Fin = TcpSegment.Fin, Rst = TcpSegment.Rst, Psh = TcpSegment.Psh;
    private static readonly uint Client = GoldenPackets.ClientAddress;
    private static readonly uint Vip = GoldenPackets.VipAddress;
    private static readonly uint Rs = GoldenPackets.RealServerAddress;

    private readonly ServiceTable _services = GoldenPackets.CreateServices();
    private readonly Director _director;
    private long _clock;

    public DirectorTests()
    {
        _director = new Director(_services);
        _director.Tick(0);
    }

    private RealServer TcpServer => _services.Lookup(GoldenPackets.TcpService)!.Destinations[0];

    [Fact]
    public void Process_NatHandshakeDataAndClose_CountersAsIpvsadmShows()
    {
        RealServer rs = TcpServer;
        Assert.Equal((0, 0), (rs.Counters.ActiveConns, rs.Counters.InactiveConns));

        In(Syn);
        AssertState(TcpState.SynRecv, active: 0, inactive: 1);
        Out(Syn | Ack);
        AssertState(TcpState.SynRecv, active: 0, inactive: 1);
        In(Ack);
        AssertState(TcpState.Established, active: 1, inactive: 0);
        In(Psh | Ack);
        Out(Psh | Ack);
        AssertState(TcpState.Established, active: 1, inactive: 0);
        In(Fin | Ack);
        AssertState(TcpState.CloseWait, active: 0, inactive: 1);
        Out(Ack);
        AssertState(TcpState.CloseWait, active: 0, inactive: 1);
        Out(Fin | Ack);
        AssertState(TcpState.TimeWait, active: 0, inactive: 1);
        In(Ack);
        AssertState(TcpState.TimeWait, active: 0, inactive: 1);

        TrafficTotals totals = rs.Counters.Totals;
        Assert.Equal(1, totals.Conns);
        Assert.Equal(5, totals.InPackets);
        Assert.Equal(4, totals.OutPackets);
        Assert.Equal(5 * 40, totals.InBytes);

        AdvanceTo(_clock + 120_000 + ConnectionTable.TickMs);
        Assert.Equal((0, 0), (rs.Counters.ActiveConns, rs.Counters.InactiveConns));
        Assert.Equal(0, _director.Connections.Count);
    }

    public static TheoryData<string, int> StateTimeouts => new()
    {
        { "SYN_RECV", 60_000 },
        { "ESTABLISHED", 900_000 },
        { "CLOSE", 10_000 },
        { "TIME_WAIT", 120_000 },
        { "UDP", 300_000 },
    };

    [Theory]
    [MemberData(nameof(StateTimeouts))]
    public void Tick_AfterLastPacketInState_ExpiresAfterItsTimeout(string state, int timeout)
    {
        _clock = 1_234; // not on a tick boundary
        switch (state)
        {
            case "SYN_RECV":
                In(Syn);
                break;
            case "ESTABLISHED":
                Establish();
                break;
            case "CLOSE":
                Establish();
                In(Rst);
                break;
            case "TIME_WAIT":
                Establish();
                In(Fin | Ack);
                Out(Fin | Ack);
                break;
            default:
                Assert.Equal(VerdictKind.Forward, Process(PacketBuilder.Udp(Client, 5353, Vip, 53, [1, 2, 3])).Kind);
                break;
        }

        if (state != "UDP")
        {
            Assert.Equal(state, TcpStateMachine.Name(Entry().State));
        }

        long last = _clock;
        AdvanceTo(last + timeout - 1);
        Assert.Equal(1, _director.Connections.Count);
        AdvanceTo(last + timeout + ConnectionTable.TickMs);
        Assert.Equal(0, _director.Connections.Count);
    }

    [Fact]
    public void Tick_EstablishedThenRst_ExpiresAfterCloseTimeoutNotEstablished()
    {
        Establish();
        AdvanceTo(_clock + 300_000);
        In(Rst);
        Assert.Equal(TcpState.Close, Entry().State);
        Assert.Equal((0, 1), (TcpServer.Counters.ActiveConns, TcpServer.Counters.InactiveConns));

        long last = _clock;
        AdvanceTo(last + 9_999);
        Assert.Equal(1, _director.Connections.Count);
        AdvanceTo(last + 10_000 + ConnectionTable.TickMs);
        Assert.Equal(0, _director.Connections.Count);
        Assert.Equal((0, 0), (TcpServer.Counters.ActiveConns, TcpServer.Counters.InactiveConns));
    }

    [Fact]
    public void Tick_EstablishedWithTraffic_PacketsPushTheDeadline()
    {
        Establish();
        for (int i = 0; i < 5; i++)
        {
            AdvanceTo(_clock + 800_000);
            In(Ack);
        }

        Assert.Equal(1, _director.Connections.Count);
        Assert.Equal((1, 0), (TcpServer.Counters.ActiveConns, TcpServer.Counters.InactiveConns));
    }

    [Fact]
    public void Process_NonSynWithoutConnection_DropsNoConnection()
    {
        Verdict v = Process(PacketBuilder.Tcp(Client, 40000, Vip, 80, Ack));

        Assert.Equal(DropReason.NoConnection, v.Reason);
        Assert.Equal(0, _director.Connections.Count);
        Assert.Equal(DropReason.NoConnection, Process(PacketBuilder.Tcp(Client, 40000, Vip, 80, Syn | Rst)).Reason);
    }

    [Fact]
    public void Process_NotAService_Passes()
    {
        Assert.Equal(VerdictKind.Pass, Process(PacketBuilder.Tcp(Client, 40000, Vip, 81, Syn)).Kind);
        Assert.Equal(VerdictKind.Pass, Process(PacketBuilder.Tcp(Client, 40000, Rs, 80, Syn)).Kind);
        byte[] arp = new byte[42];
        ArpPacket.WriteRequest(arp, PacketBuilder.PeerMac, Client, Vip);
        Assert.Equal(VerdictKind.Pass, Process(arp).Kind);
    }

    [Fact]
    public void Process_BadIpChecksum_DropsIpChecksum()
    {
        byte[] frame = PacketBuilder.Tcp(Client, 40000, Vip, 80, Syn);
        frame[PacketBuilder.EthernetLength + 10] ^= 0xFF;

        Assert.Equal(DropReason.IpChecksum, Process(frame).Reason);
        Assert.Equal(1, _director.Drops[DropReason.IpChecksum]);
    }

    [Fact]
    public void Process_FragmentToVip_DropsFragment()
    {
        byte[] frame = PacketBuilder.Tcp(Client, 40000, Vip, 80, Syn);
        frame[PacketBuilder.EthernetLength + 6] = 0x20; // MF
        PacketBuilder.FillIpChecksum(frame);

        Assert.Equal(DropReason.Fragment, Process(frame).Reason);
    }

    [Fact]
    public void Process_NoDestinationWithWeight_DropsNoDestination()
    {
        _services.EditServer(GoldenPackets.TcpService, Rs, 8080, ForwardMethod.Masquerade, 0);

        Assert.Equal(DropReason.NoDestination, Process(PacketBuilder.Tcp(Client, 40000, Vip, 80, Syn)).Reason);
    }

    [Fact]
    public void Process_TableFull_DropsTableFull()
    {
        var director = new Director(_services, 0, new ConnectionTable(initialCapacity: 16, maxEntries: 16));
        for (int port = 1; port <= 16; port++)
        {
            Assert.Equal(VerdictKind.Forward, director.Process(PacketBuilder.Tcp(Client, (ushort)port, Vip, 80, Syn), default, 0).Kind);
        }

        Verdict v = director.Process(PacketBuilder.Tcp(Client, 17, Vip, 80, Syn), default, 0);

        Assert.Equal(DropReason.TableFull, v.Reason);
        Assert.Equal(1, director.Drops[DropReason.TableFull]);
    }

    [Fact]
    public void Process_UdpFlow_StaysInactive()
    {
        Process(PacketBuilder.Udp(Client, 5353, Vip, 53, [1]));
        Process(PacketBuilder.Udp(Rs, 5300, Client, 5353, [2]));

        RealServer rs = _services.Lookup(GoldenPackets.UdpService)!.Destinations[0];
        Assert.Equal((0, 1), (rs.Counters.ActiveConns, rs.Counters.InactiveConns));
        Assert.Equal(1, rs.Counters.Totals.InPackets);
        Assert.Equal(1, rs.Counters.Totals.OutPackets);
    }

    [Fact]
    public void Process_SynOnTimeWaitTuple_ScheduledAsNewConnection()
    {
        Establish();
        _services.AddServer(GoldenPackets.TcpService, Ip("10.0.0.12"), 8080, ForwardMethod.Masquerade, 1);
        In(Fin | Ack);
        Out(Fin | Ack);
        In(Ack);
        Assert.Equal(TcpState.TimeWait, Entry().State);
        uint first = Entry().DestAddress.V4;

        In(Syn);

        Assert.Equal(TcpState.SynRecv, Entry().State);
        Assert.NotEqual(first, Entry().DestAddress); // rr moved on to the other server
        Assert.Equal(2, _services.Lookup(GoldenPackets.TcpService)!.Counters.Totals.Conns);
        Assert.Equal(1, _director.Connections.Count);
    }

    [Fact]
    public void Process_SynOnEstablishedTuple_StaysOnItsServer()
    {
        Establish();
        _services.AddServer(GoldenPackets.TcpService, Ip("10.0.0.12"), 8080, ForwardMethod.Masquerade, 1);
        uint first = Entry().DestAddress.V4;

        In(Syn);

        Assert.Equal(first, Entry().DestAddress);
        Assert.Equal(1, _services.Lookup(GoldenPackets.TcpService)!.Counters.Totals.Conns);
    }

    [Fact]
    public void Process_SynWithTtlOne_DroppedWithoutConnection()
    {
        Verdict v = Process(PacketBuilder.Tcp(Client, 40000, Vip, 80, Syn, ttl: 1));

        Assert.Equal(DropReason.TtlExceeded, v.Reason);
        Assert.Equal(0, _director.Connections.Count);
    }

    [Fact]
    public void Process_UdpLengthPastPayload_DropsUdpLength()
    {
        byte[] frame = PacketBuilder.Udp(Client, 5353, Vip, 53, [1, 2, 3]);
        frame[14 + 20 + 4] = 0x10; // UDP length 4096 > 11 bytes present
        frame[14 + 20 + 5] = 0x00;

        Assert.Equal(DropReason.UdpLength, Process(frame).Reason);
    }

    private static uint Ip(string text) => Ipv4.Parse(text);

    private void Establish()
    {
        In(Syn);
        Out(Syn | Ack);
        In(Ack);
    }

    private void In(byte flags) =>
        Assert.Equal(VerdictKind.Forward, Process(PacketBuilder.Tcp(Client, 40000, Vip, 80, flags)).Kind);

    private void Out(byte flags) =>
        Assert.Equal(VerdictKind.Forward, Process(PacketBuilder.Tcp(Rs, 8080, Client, 40000, flags)).Kind);

    private Verdict Process(byte[] frame) => _director.Process(frame, default, _clock);

    private ref Connection Entry()
    {
        Assert.True(_director.Connections.TryFind(IpProtocol.Tcp, Client, 40000, Vip, 80, out int i, out _));
        return ref _director.Connections[i];
    }

    private void AssertState(TcpState state, int active, int inactive)
    {
        Assert.Equal(state, Entry().State);
        Assert.Equal((active, inactive), (TcpServer.Counters.ActiveConns, TcpServer.Counters.InactiveConns));
        _clock += 7;
    }

    /// <summary>Ticks the director every <see cref="ConnectionTable.TickMs"/>, as the worker loop does, ending exactly at <paramref name="target"/>.</summary>
    private void AdvanceTo(long target)
    {
        for (long t = _clock + ConnectionTable.TickMs; t < target; t += ConnectionTable.TickMs)
        {
            _director.Tick(t);
        }

        _director.Tick(target);
        _clock = target;
    }
}
