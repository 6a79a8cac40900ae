using Lvs.Core.Connections;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Sync;
using Lvs.Core.Tests.Forwarding;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests.Sync;

/// <summary>ip_vs's rule of when a master sends a connection: threshold 3, period 50, closing states at once.</summary>
public class SyncSourceTests
{
    private readonly Director _director = new(GoldenPackets.CreateServices());
    private readonly SyncSource _source = new(new SyncRing(4), new SyncCounters()) { Enabled = true };

    public SyncSourceTests() => _director.Sync = _source;

    private void In(byte flags) => _director.Process(
        PacketBuilder.Tcp(GoldenPackets.ClientAddress, 40000, GoldenPackets.VipAddress, 80, flags), new PacketMeta(), 0);

    private void Out(byte flags) => _director.Process(
        PacketBuilder.Tcp(GoldenPackets.RealServerAddress, 8080, GoldenPackets.ClientAddress, 40000, flags), new PacketMeta(), 0);

    private int Drain()
    {
        int n = 0;
        while (_source.Ring.TryRead(out _))
        {
            n++;
        }

        return n;
    }

    [Fact]
    public void OnInput_EstablishedConnection_SentAtThirdThenEveryFiftiethPacket()
    {
        In(TcpSegment.Syn);
        Out(TcpSegment.Syn | TcpSegment.Ack);
        In(TcpSegment.Ack);
        Assert.Equal(0, Drain()); // 2 packets
        In(TcpSegment.Ack);
        Assert.Equal(1, Drain()); // the 3rd
        for (int i = 4; i < 53; i++)
        {
            In(TcpSegment.Ack);
        }

        Assert.Equal(0, Drain());
        In(TcpSegment.Ack);
        Assert.Equal(1, Drain()); // the 53rd
    }

    [Fact]
    public void OnInput_ClientFin_SentAtOnce()
    {
        In(TcpSegment.Syn);
        Out(TcpSegment.Syn | TcpSegment.Ack);
        In(TcpSegment.Ack);
        Out(TcpSegment.Fin | TcpSegment.Ack); // server closes first: FIN_WAIT
        Assert.Equal(0, Drain());
        In(TcpSegment.Ack);
        Assert.True(_source.Ring.TryRead(out SyncEntry e));
        Assert.Equal((ushort)TcpState.FinWait, e.State);
    }

    [Fact]
    public void OnInput_Disabled_NothingQueued()
    {
        _source.Enabled = false;
        for (int i = 0; i < 5; i++)
        {
            In(i == 0 ? TcpSegment.Syn : TcpSegment.Ack);
        }

        Assert.Equal(0, Drain());
    }

    [Fact]
    public void OnInput_RingFull_OverflowCounted()
    {
        var ring = new SyncRing(2);
        var counters = new SyncCounters();
        var source = new SyncSource(ring, counters, new SyncSettings(Threshold: 1, Period: 0)) { Enabled = true };
        var director = new Director(GoldenPackets.CreateServices()) { Sync = source };
        for (ushort port = 1; port <= 3; port++)
        {
            director.Process(PacketBuilder.Udp(GoldenPackets.ClientAddress, port, GoldenPackets.VipAddress, 53, [1]), new PacketMeta(), 0);
        }

        Assert.Equal(2, ring.Count);
        Assert.Equal(1, counters.Dropped(SyncDropReason.QueueOverflow));
    }
}
