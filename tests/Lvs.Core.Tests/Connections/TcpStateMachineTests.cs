using Lvs.Core.Connections;
using Lvs.Core.Packets;

namespace Lvs.Core.Tests.Connections;

public class TcpStateMachineTests
{
    private const byte Syn = TcpSegment.Syn, Fin = TcpSegment.Fin, Ack = TcpSegment.Ack, Rst = TcpSegment.Rst;

    // Rows of ip_vs_proto_tcp.c's tcp_states[], spot-checked cell by cell.
    [Theory]
    [InlineData(PacketDirection.Input, Syn, TcpState.None, TcpState.SynRecv)]
    [InlineData(PacketDirection.Input, Ack, TcpState.SynRecv, TcpState.Established)]
    [InlineData(PacketDirection.Input, Fin, TcpState.Established, TcpState.CloseWait)]
    [InlineData(PacketDirection.Input, Rst, TcpState.Established, TcpState.Close)]
    [InlineData(PacketDirection.Input, Rst, TcpState.SynRecv, TcpState.SynRecv)]
    [InlineData(PacketDirection.Input, Ack, TcpState.LastAck, TcpState.Close)]
    [InlineData(PacketDirection.Input, Fin, TcpState.FinWait, TcpState.TimeWait)]
    [InlineData(PacketDirection.Input, Syn, TcpState.TimeWait, TcpState.SynRecv)]
    [InlineData(PacketDirection.Output, Syn, TcpState.SynRecv, TcpState.SynRecv)]
    [InlineData(PacketDirection.Output, Syn, TcpState.None, TcpState.SynSent)]
    [InlineData(PacketDirection.Output, Fin, TcpState.Established, TcpState.FinWait)]
    [InlineData(PacketDirection.Output, Fin, TcpState.CloseWait, TcpState.TimeWait)]
    [InlineData(PacketDirection.Output, Ack, TcpState.Listen, TcpState.Established)]
    [InlineData(PacketDirection.Output, Rst, TcpState.Established, TcpState.Close)]
    [InlineData(PacketDirection.Output, Rst, TcpState.TimeWait, TcpState.TimeWait)]
    [InlineData(PacketDirection.Output, Rst, TcpState.SynSent, TcpState.SynSent)]
    [InlineData(PacketDirection.InputOnly, Fin, TcpState.Established, TcpState.FinWait)]
    [InlineData(PacketDirection.InputOnly, Ack, TcpState.SynRecv, TcpState.Established)]
    [InlineData(PacketDirection.InputOnly, Rst, TcpState.SynAck, TcpState.Close)]
    [InlineData(PacketDirection.InputOnly, Rst, TcpState.LastAck, TcpState.LastAck)]
    [InlineData(PacketDirection.InputOnly, Syn, TcpState.Established, TcpState.Established)]
    public void Next_KernelTableCells(PacketDirection direction, byte flags, TcpState from, TcpState to)
    {
        Assert.Equal(to, TcpStateMachine.Next(from, direction, flags));
    }

    [Theory]
    [InlineData(Rst | Syn | Fin | Ack, 3)]
    [InlineData(Syn | Ack, 0)]
    [InlineData(Fin | Ack, 1)]
    [InlineData(Ack | TcpSegment.Psh, 2)]
    [InlineData(TcpSegment.Psh, -1)]
    [InlineData(0, -1)]
    public void EventIndex_PriorityRstSynFinAck(byte flags, int index)
    {
        Assert.Equal(index, TcpStateMachine.EventIndex(flags));
    }

    [Fact]
    public void Next_NoRecognisedFlag_Close()
    {
        // set_tcp_state: tcp_state_idx < 0 leaves new_state at its initial IP_VS_TCP_S_CLOSE.
        Assert.Equal(TcpState.Close, TcpStateMachine.Next(TcpState.Established, PacketDirection.Input, TcpSegment.Psh));
    }

    [Fact]
    public void Name_MatchesIpvsadmStateNames()
    {
        string[] names = [.. Enum.GetValues<TcpState>().Select(TcpStateMachine.Name)];
        Assert.Equal(
            ["NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK"],
            names);
    }

    [Fact]
    public void ConnectionTimeouts_Defaults_AreIpvsDefaults()
    {
        var t = new ConnectionTimeouts();
        Assert.Equal(900_000, t.Tcp(TcpState.Established));
        Assert.Equal(60_000, t.Tcp(TcpState.SynRecv));
        Assert.Equal(120_000, t.Tcp(TcpState.FinWait));
        Assert.Equal(120_000, t.Tcp(TcpState.TimeWait));
        Assert.Equal(10_000, t.Tcp(TcpState.Close));
        Assert.Equal(60_000, t.Tcp(TcpState.CloseWait));
        Assert.Equal(30_000, t.Tcp(TcpState.LastAck));
        Assert.Equal(300_000, t.Udp);
        Assert.Equal(3_000, t.Initial);

        t.SetTcp(TcpState.Established, 5_000);
        Assert.Equal(5_000, t.Tcp(TcpState.Established));
    }
}
