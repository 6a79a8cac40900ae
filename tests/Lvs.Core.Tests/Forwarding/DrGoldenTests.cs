using Lvs.Core.Connections;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests.Forwarding;

public class DrGoldenTests
{
    private const byte Syn = TcpSegment.Syn, Ack = TcpSegment.Ack, Fin = TcpSegment.Fin, Psh = TcpSegment.Psh, Rst = TcpSegment.Rst;
    private const int TtlOffset = PacketBuilder.EthernetLength + 8;
    private static readonly uint Client = GoldenPackets.ClientAddress;

    private readonly ServiceTable _services = GoldenPackets.CreateAllServices();
    private readonly Director _director;
    private long _clock = 1_000;

    public DrGoldenTests() => _director = new Director(_services);

    public static TheoryData<string> FlowNames => [.. GoldenPackets.DrFlows.Keys];

    [Theory]
    [MemberData(nameof(FlowNames))]
    public void Process_DrGoldenFlow_ForwardsToRealServerWithOnlyTtlChanged(string flow)
    {
        foreach (GoldenPacket golden in GoldenPackets.DrFlows[flow])
        {
            byte[] frame = golden.Input;

            Verdict verdict = _director.Process(frame, new PacketMeta { ChecksumPartial = golden.ChecksumPartial }, _clock);

            Assert.Equal(VerdictKind.Forward, verdict.Kind);
            Assert.Equal(Ipv4.Format(golden.NextHop), Ipv4.Format(verdict.NextHop.V4));
            Assert.Equal(golden.OutputHex, Convert.ToHexStringLower(frame));
            _clock += 10;
        }
    }

    [Fact]
    public void DrGoldenPackets_DifferOnlyInTtlAndHeaderChecksum_AndVerifyWithReferenceChecksum()
    {
        foreach (GoldenPacket golden in GoldenPackets.AllDirectReturn)
        {
            byte[] input = golden.Input, output = golden.Output;
            Assert.True(PacketBuilder.IpChecksumValid(input), golden.Name);
            Assert.True(PacketBuilder.IpChecksumValid(output), golden.Name);
            Assert.Equal(!golden.ChecksumPartial, PacketBuilder.TransportChecksumValid(input));
            Assert.Equal(input[TtlOffset] - 1, output[TtlOffset]);
            int[] changed = [.. Enumerable.Range(0, input.Length).Where(i => input[i] != output[i])];
            Assert.All(changed, i => Assert.Contains(i, new[] { TtlOffset, TtlOffset + 2, TtlOffset + 3 }));
        }
    }

    [Fact]
    public void Process_DrServerOnAnotherPort_KeepsTheServicePort()
    {
        // ipvsadm forces the service port for -g: the packet still goes to :80.
        var services = new ServiceTable(1);
        services.AddService(GoldenPackets.DrService, "rr");
        services.AddServer(GoldenPackets.DrService, GoldenPackets.DrServerAddress, 8080, ForwardMethod.DirectRoute, 1);
        byte[] frame = GoldenPackets.DrSyn.Input;

        Verdict verdict = new Director(services).Process(frame, default, 0);

        Assert.Equal(VerdictKind.Forward, verdict.Kind);
        Assert.Equal(GoldenPackets.DrSyn.OutputHex, Convert.ToHexStringLower(frame));
    }

    [Fact]
    public void Process_SynOnClosedDrTupleInFinWait_ScheduledAsNewConnection()
    {
        In(Syn);
        In(Ack);
        In(Fin | Ack);
        In(Ack);
        Assert.Equal(TcpState.FinWait, Entry().State);

        // The client reuses its port: FIN_WAIT is the last state a DR director sees, so the SYN is a new connection.
        In(Syn);

        Assert.Equal(TcpState.SynRecv, Entry().State);
        Assert.Equal(2, _services.Lookup(GoldenPackets.DrService)!.Counters.Totals.Conns);
        Assert.Equal(1, _director.Connections.Count);
    }

    [Fact]
    public void Process_DrHandshakeDataAndClose_UsesInputOnlyTableAndCountersAsIpvsadmShows()
    {
        RealServer rs = Server(GoldenPackets.DrService);

        In(Syn);
        AssertState(TcpState.SynRecv, active: 0, inactive: 1);
        In(Ack);
        AssertState(TcpState.Established, active: 1, inactive: 0);
        In(Psh | Ack);
        AssertState(TcpState.Established, active: 1, inactive: 0);
        In(Fin | Ack);

        // INPUT-ONLY: the client's FIN on ESTABLISHED is FIN_WAIT (the NAT table says CLOSE_WAIT).
        AssertState(TcpState.FinWait, active: 0, inactive: 1);
        long last = _clock;
        In(Ack);
        AssertState(TcpState.FinWait, active: 0, inactive: 1);
        Assert.NotEqual(ConnectionFlags.None, Entry().Flags & ConnectionFlags.NoOutput);

        TrafficTotals totals = rs.Counters.Totals;
        Assert.Equal((1, 5, 0, 5 * 40), (totals.Conns, totals.InPackets, totals.OutPackets, totals.InBytes));
        Assert.Equal(0, _services.Lookup(GoldenPackets.DrService)!.Counters.Totals.OutPackets);

        // FIN_WAIT's timeout is 120 s.
        Tick(last + 120_000 - 1);
        Assert.Equal(1, _director.Connections.Count);
        Tick(last + 120_000 + ConnectionTable.TickMs);
        Assert.Equal(0, _director.Connections.Count);
        Assert.Equal((0, 0), (rs.Counters.ActiveConns, rs.Counters.InactiveConns));
    }

    [Fact]
    public void Process_DrRstOnSynRecv_InputOnlyStaysSynRecv()
    {
        // ip_vs's INPUT-ONLY rst row keeps SYN_RECV (a spoofed RST must not close a DR entry early).
        In(Syn);
        In(Rst);

        Assert.Equal(TcpState.SynRecv, Entry().State);
    }

    [Fact]
    public void Process_DrReplyDirection_PassesUnchangedWithoutStateChange()
    {
        In(Syn);
        In(Ack);
        // The out tuple (RIP:80 -> client) and the real DR reply (VIP:80 -> client, the RS answers from its lo VIP).
        byte[][] replies =
        [
            PacketBuilder.Tcp(GoldenPackets.DrServerAddress, 80, Client, 40000, Fin | Ack),
            PacketBuilder.Tcp(GoldenPackets.DrVipAddress, 80, Client, 40000, Fin | Ack),
            PacketBuilder.Tcp(GoldenPackets.DrServerAddress, 80, Client, 40000, Psh | Ack, mode: ChecksumMode.Partial),
        ];

        foreach (byte[] reply in replies)
        {
            byte[] before = (byte[])reply.Clone();

            Verdict verdict = _director.Process(reply, default, _clock);

            Assert.Equal(VerdictKind.Pass, verdict.Kind);
            Assert.Equal(before, reply);
        }

        Assert.Equal(TcpState.Established, Entry().State);
        Assert.NotEqual(ConnectionFlags.None, Entry().Flags & ConnectionFlags.NoOutput);
        Assert.Equal(0, Server(GoldenPackets.DrService).Counters.Totals.OutPackets);
    }

    [Fact]
    public void Process_DrReplyWithTtlOne_PassesWithoutCountingADrop()
    {
        In(Syn);
        byte[] reply = PacketBuilder.Tcp(GoldenPackets.DrServerAddress, 80, Client, 40000, Syn | Ack, ttl: 1);

        Verdict verdict = _director.Process(reply, default, _clock);

        Assert.Equal(VerdictKind.Pass, verdict.Kind);
        Assert.Equal(0, _director.Drops[DropReason.TtlExceeded]);
    }

    [Fact]
    public void Process_TunSyn_TunnelVerdictWithThatServersSpecAndOnlyTtlChanged()
    {
        var expected = new Dictionary<uint, TunnelSpec>
        {
            [GoldenPackets.IpipServerAddress] = GoldenPackets.IpipTunnel,
            [GoldenPackets.GueServerAddress] = GoldenPackets.GueTunnel,
            [GoldenPackets.GreServerAddress] = GoldenPackets.GreTunnel,
        };
        var seen = new HashSet<uint>();
        for (ushort port = 40000; port < 40003; port++)
        {
            byte[] frame = Convert.FromHexString(GoldenPackets.TunSynInputHex);
            frame[PacketBuilder.EthernetLength + 21] = (byte)port; // client port 40000 + n (0x9c40 + n)
            PacketBuilder.FillTransportChecksum(frame, TcpSegment.ChecksumOffset);
            byte[] before = (byte[])frame.Clone();

            Verdict verdict = _director.Process(frame, default, _clock);

            Assert.Equal(VerdictKind.Tunnel, verdict.Kind);
            Assert.Equal(expected[verdict.NextHop.V4], verdict.Tunnel);
            Assert.True(seen.Add(verdict.NextHop.V4));
            Assert.Equal(before[TtlOffset] - 1, frame[TtlOffset]);
            Assert.True(PacketBuilder.IpChecksumValid(frame));
            Assert.Equal(before[(TtlOffset + 4)..], frame[(TtlOffset + 4)..]);
            if (port == 40000)
            {
                Assert.Equal(GoldenPackets.TunInnerHex, Convert.ToHexStringLower(frame.AsSpan(PacketBuilder.EthernetLength)));
            }
        }

        Assert.Equal(3, seen.Count);
        Assert.Equal(3, _services.Lookup(GoldenPackets.TunService)!.Counters.Totals.InPackets);
    }

    [Fact]
    public void Process_TunPartialChecksum_LeftPartialForTheEncoder()
    {
        byte[] frame = PacketBuilder.Tcp(Client, 40000, GoldenPackets.TunVipAddress, 80, Syn, mode: ChecksumMode.Partial);
        byte[] expected = PacketBuilder.Tcp(Client, 40000, GoldenPackets.TunVipAddress, 80, Syn, ttl: 63, mode: ChecksumMode.Partial);

        Verdict verdict = _director.Process(frame, new PacketMeta { ChecksumPartial = true }, _clock);

        Assert.Equal(VerdictKind.Tunnel, verdict.Kind);
        Assert.Equal(expected, frame);
    }

    [Fact]
    public void Process_TunHandshakeAndClientFin_UsesInputOnlyTable()
    {
        Assert.Equal(VerdictKind.Tunnel, Tun(Syn).Kind);
        Assert.Equal(TcpState.SynRecv, TunEntry().State);
        Tun(Ack);
        Assert.Equal(TcpState.Established, TunEntry().State);
        RealServer rs = TunEntry().Dest!;
        Assert.Equal((1, 0), (rs.Counters.ActiveConns, rs.Counters.InactiveConns));
        Tun(Fin | Ack);
        Assert.Equal(TcpState.FinWait, TunEntry().State);
        Assert.Equal((0, 1), (rs.Counters.ActiveConns, rs.Counters.InactiveConns));
        Assert.Equal(0, rs.Counters.Totals.OutPackets);
    }

    private Verdict Tun(byte flags) =>
        _director.Process(PacketBuilder.Tcp(Client, 40000, GoldenPackets.TunVipAddress, 80, flags), default, _clock++);

    private void In(byte flags)
    {
        Verdict verdict = _director.Process(PacketBuilder.Tcp(Client, 40000, GoldenPackets.DrVipAddress, 80, flags), default, _clock);
        Assert.Equal(VerdictKind.Forward, verdict.Kind);
        Assert.Equal(GoldenPackets.DrServerAddress, verdict.NextHop);
    }

    private RealServer Server(ServiceKey key) => _services.Lookup(key)!.Destinations[0];

    private ref Connection Entry() => ref Find(GoldenPackets.DrVipAddress);

    private ref Connection TunEntry() => ref Find(GoldenPackets.TunVipAddress);

    private ref Connection Find(uint vip)
    {
        Assert.True(_director.Connections.TryFind(IpProtocol.Tcp, Client, 40000, vip, 80, out int i, out PacketDirection direction));
        Assert.Equal(PacketDirection.InputOnly, direction);
        return ref _director.Connections[i];
    }

    private void AssertState(TcpState state, int active, int inactive)
    {
        RealServer rs = Server(GoldenPackets.DrService);
        Assert.Equal(TcpStateMachine.Name(state), TcpStateMachine.Name(Entry().State));
        Assert.Equal((active, inactive), (rs.Counters.ActiveConns, rs.Counters.InactiveConns));
        _clock += 7;
    }

    private void Tick(long target)
    {
        for (long t = _clock + ConnectionTable.TickMs; t < target; t += ConnectionTable.TickMs)
        {
            _director.Tick(t);
        }

        _director.Tick(target);
        _clock = target;
    }
}
