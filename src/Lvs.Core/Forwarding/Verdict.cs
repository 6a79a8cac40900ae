using Lvs.Core.Services;

namespace Lvs.Core.Forwarding;

public enum VerdictKind : byte
{
    /// <summary>Not the director's traffic: the kernel has its own copy and handles it.</summary>
    Pass,

    /// <summary>Ours, and not to be sent: <see cref="Verdict.Reason"/> says why (counted).</summary>
    Drop,

    /// <summary>Rewritten in place (NAT, or only its TTL for DR); send it towards <see cref="Verdict.NextHop"/>.</summary>
    Forward,

    /// <summary>
    /// Encapsulate the IP packet (TTL already decremented) for <see cref="Verdict.Tunnel"/> and send
    /// it to the real server at <see cref="Verdict.NextHop"/> (<see cref="TunnelEncoder"/>).
    /// </summary>
    Tunnel,
}

/// <summary>The core's decision about one frame.</summary>
public readonly struct Verdict
{
    private Verdict(VerdictKind kind, DropReason reason, InetAddress nextHop, Services.TunnelSpec tunnel = default)
    {
        Kind = kind;
        Reason = reason;
        NextHop = nextHop;
        Tunnel = tunnel;
    }

    public VerdictKind Kind { get; }

    public DropReason Reason { get; }

    /// <summary>
    /// The address (IPv4 or IPv6, the family of the packet as sent) to route the frame towards;
    /// the I/O layer resolves the interface and next-hop MAC and writes the Ethernet addresses.
    /// For a tunnel it is the real server, whose family picks the outer header.
    /// </summary>
    public InetAddress NextHop { get; }

    /// <summary>For <see cref="VerdictKind.Tunnel"/>: how to wrap the packet.</summary>
    public Services.TunnelSpec Tunnel { get; }

    public static Verdict Pass => default;

    public static Verdict Drop(DropReason reason) => new(VerdictKind.Drop, reason, default);

    public static Verdict Forward(InetAddress nextHop) => new(VerdictKind.Forward, DropReason.None, nextHop);

    public static Verdict Encapsulate(InetAddress realServer, Services.TunnelSpec tunnel) => new(VerdictKind.Tunnel, DropReason.None, realServer, tunnel);

    public override string ToString() => Kind switch
    {
        VerdictKind.Drop => $"drop({DropReasons.Name(Reason)})",
        VerdictKind.Forward => $"forward({NextHop})",
        VerdictKind.Tunnel => $"tunnel({Tunnel.Type}, {NextHop})",
        _ => "pass",
    };
}

/// <summary>What the I/O layer knows about a frame besides its bytes.</summary>
public struct PacketMeta
{
    /// <summary>The interface it arrived on.</summary>
    public int IfIndex;

    /// <summary>
    /// The transport checksum is partial (virtio_net_hdr NEEDS_CSUM / TP_STATUS_CSUMNOTREADY): the
    /// field holds only the pseudo-header sum and the kernel completes it on transmit.
    /// </summary>
    public bool ChecksumPartial;
}
