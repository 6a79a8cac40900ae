using Lvs.Core.Packets;

namespace Lvs.Core.Connections;

/// <summary>IPVS TCP connection states (IP_VS_TCP_S_*), in the kernel's order.</summary>
public enum TcpState : byte
{
    None,
    Established,
    SynSent,
    SynRecv,
    FinWait,
    TimeWait,
    Close,
    CloseWait,
    LastAck,
    Listen,
    SynAck,
}

/// <summary>Which side a packet came from, for the state table.</summary>
public enum PacketDirection : byte
{
    /// <summary>Client to real server.</summary>
    Input = 0,

    /// <summary>Real server back through the director (NAT only).</summary>
    Output = 1,

    /// <summary>Client to real server when the director never sees replies (DR, TUN).</summary>
    InputOnly = 2,
}

/// <summary>
/// ip_vs_proto_tcp.c's state table: rows are (direction, event) and columns the current state.
/// The event is the most significant flag of the segment: RST, then SYN, then FIN, then ACK.
/// </summary>
public static class TcpStateMachine
{
    private const TcpState NO = TcpState.None, ES = TcpState.Established, SS = TcpState.SynSent, SR = TcpState.SynRecv,
        FW = TcpState.FinWait, TW = TcpState.TimeWait, CL = TcpState.Close, CW = TcpState.CloseWait,
        LA = TcpState.LastAck, LI = TcpState.Listen, SA = TcpState.SynAck;

    // [direction * 4 + event][state]; columns: sNO sES sSS sSR sFW sTW sCL sCW sLA sLI sSA
    private static readonly TcpState[][] Table =
    [
        // INPUT
        /*syn*/ [SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR],
        /*fin*/ [CL, CW, SS, TW, TW, TW, CL, CW, LA, LI, TW],
        /*ack*/ [ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES],
        /*rst*/ [CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, SR],

        // OUTPUT
        /*syn*/ [SS, ES, SS, SR, SS, SS, SS, SS, SS, LI, SR],
        /*fin*/ [TW, FW, SS, TW, FW, TW, CL, TW, LA, LI, TW],
        /*ack*/ [ES, ES, SS, ES, FW, TW, CL, CW, LA, ES, ES],
        /*rst*/ [CL, CL, SS, CL, CL, TW, CL, CL, CL, CL, CL],

        // INPUT-ONLY
        /*syn*/ [SR, ES, ES, SR, SR, SR, SR, SR, SR, SR, SR],
        /*fin*/ [CL, FW, SS, TW, FW, TW, CL, CW, LA, LI, TW],
        /*ack*/ [ES, ES, SS, ES, FW, TW, CL, CW, CL, LI, ES],
        /*rst*/ [CL, CL, CL, SR, CL, CL, CL, CL, LA, LI, CL],
    ];

    /// <summary>The event row of a segment's flags, or -1 when it carries none of RST/SYN/FIN/ACK.</summary>
    public static int EventIndex(byte flags)
    {
        if ((flags & TcpSegment.Rst) != 0)
        {
            return 3;
        }

        if ((flags & TcpSegment.Syn) != 0)
        {
            return 0;
        }

        if ((flags & TcpSegment.Fin) != 0)
        {
            return 1;
        }

        return (flags & TcpSegment.Ack) != 0 ? 2 : -1;
    }

    /// <summary>The next state; a segment with no recognised flag moves to CLOSE, as in ip_vs.</summary>
    public static TcpState Next(TcpState current, PacketDirection direction, byte flags)
    {
        int ev = EventIndex(flags);
        return ev < 0 ? TcpState.Close : Table[((int)direction * 4) + ev][(int)current];
    }

    public static string Name(TcpState state) => state switch
    {
        TcpState.None => "NONE",
        TcpState.Established => "ESTABLISHED",
        TcpState.SynSent => "SYN_SENT",
        TcpState.SynRecv => "SYN_RECV",
        TcpState.FinWait => "FIN_WAIT",
        TcpState.TimeWait => "TIME_WAIT",
        TcpState.Close => "CLOSE",
        TcpState.CloseWait => "CLOSE_WAIT",
        TcpState.LastAck => "LAST_ACK",
        TcpState.Listen => "LISTEN",
        TcpState.SynAck => "SYNACK",
        _ => "ERR!",
    };
}

/// <summary>
/// Connection timeouts in milliseconds, per TCP state and for UDP, with ip_vs's defaults
/// (ipvsadm --set changes tcp, tcpfin and udp in a later issue).
/// </summary>
public sealed class ConnectionTimeouts
{
    private readonly int[] _tcp =
    [
        2_000,      // NONE
        900_000,    // ESTABLISHED
        120_000,    // SYN_SENT
        60_000,     // SYN_RECV
        120_000,    // FIN_WAIT
        120_000,    // TIME_WAIT
        10_000,     // CLOSE
        60_000,     // CLOSE_WAIT
        30_000,     // LAST_ACK
        120_000,    // LISTEN
        120_000,    // SYNACK
    ];

    /// <summary>A new connection's timeout before its first state transition (ip_vs_conn_new: 3 s).</summary>
    public int Initial { get; init; } = 3_000;

    public int Udp { get; set; } = 300_000;

    public int Tcp(TcpState state) => _tcp[(int)state];

    public void SetTcp(TcpState state, int milliseconds) => _tcp[(int)state] = milliseconds;
}
