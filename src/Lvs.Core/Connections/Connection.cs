using System.Runtime.InteropServices;
using Lvs.Core.Services;

namespace Lvs.Core.Connections;

/// <summary>Connection flags (a subset of IP_VS_CONN_F_*).</summary>
[Flags]
public enum ConnectionFlags : ushort
{
    None = 0,

    /// <summary>The slot holds a live connection.</summary>
    InUse = 1 << 0,

    /// <summary>Counted in the server's InActConn rather than ActiveConn (IP_VS_CONN_F_INACTIVE).</summary>
    Inactive = 1 << 1,

    /// <summary>No reply seen yet on a DR/TUN connection: use the INPUT-ONLY state table (IP_VS_CONN_F_NOOUTPUT).</summary>
    NoOutput = 1 << 2,

    /// <summary>A persistence template (IP_VS_CONN_F_TEMPLATE): client network → real server, no traffic of its own.</summary>
    Template = 1 << 3,

    /// <summary>One-packet scheduling (IP_VS_CONN_F_ONE_PACKET): the next datagram from the client is scheduled afresh.</summary>
    OnePacket = 1 << 4,

    /// <summary>A template taken out of the hash (its server went away) that waits for its connections to end.</summary>
    Unhashed = 1 << 5,
}

/// <summary>
/// One connection entry, stored by value in the table's array. Addresses are <see cref="InetAddress"/>:
/// IPv4 held mapped, so one layout serves both families (ip_vs's nf_inet_addr).
/// <para>In NAT the entry is reachable from both directions: the "in" tuple
/// (client → VIP) and the "out" tuple (real server → client).</para>
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public struct Connection
{
    public InetAddress ClientAddress;
    public InetAddress VirtualAddress;
    public InetAddress DestAddress;
    public ushort ClientPort;
    public ushort VirtualPort;
    public ushort DestPort;
    public IpProtocol Protocol;
    public TcpState State;
    public ConnectionFlags Flags;
    public ForwardMethod Method;

    /// <summary>Milliseconds of the table's clock at which the entry expires unless refreshed.</summary>
    public long ExpiresAt;

    /// <summary>The timeout the next packet re-arms (ms).</summary>
    public int Timeout;

    public RealServer? Dest;
    public VirtualService? Service;

    /// <summary>For a connection: its persistence template's index + 1 (0 = none). For a template: unused.</summary>
    internal int Control;

    /// <summary>For a template: how many live connections it controls (n_control); it outlives them all.</summary>
    internal int ControlCount;

    /// <summary>Packets from the client so far (cp->in_pkts), for the sync threshold/period rule.</summary>
    internal int InPackets;

    /// <summary>The state last synced (cp->old_state): a change forces a sync for the closing states.</summary>
    internal TcpState OldState;

    // The hash-chain and timer-wheel links live in the table's own arrays, beside the entries:
    // walking a chain or a wheel slot then reads a few dense ints instead of one entry each.

    public readonly bool IsActive => (Flags & ConnectionFlags.Inactive) == 0;

    public readonly bool IsTemplate => (Flags & ConnectionFlags.Template) != 0;
}
