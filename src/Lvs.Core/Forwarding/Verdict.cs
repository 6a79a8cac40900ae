namespace Lvs.Core.Forwarding;

public enum VerdictKind : byte
{
    /// <summary>Not the director's traffic: the kernel has its own copy and handles it.</summary>
    Pass,

    /// <summary>Ours, and not to be sent: <see cref="Verdict.Reason"/> says why (counted).</summary>
    Drop,

    /// <summary>Rewritten in place; send it towards <see cref="Verdict.NextHop"/>.</summary>
    Forward,
}

/// <summary>The core's decision about one frame.</summary>
public readonly struct Verdict
{
    private Verdict(VerdictKind kind, DropReason reason, uint nextHop)
    {
        Kind = kind;
        Reason = reason;
        NextHop = nextHop;
    }

    public VerdictKind Kind { get; }

    public DropReason Reason { get; }

    /// <summary>
    /// The IPv4 address (host order) to route the frame towards; the I/O layer resolves the
    /// interface and next-hop MAC and writes the Ethernet addresses.
    /// </summary>
    public uint NextHop { get; }

    public static Verdict Pass => default;

    public static Verdict Drop(DropReason reason) => new(VerdictKind.Drop, reason, 0);

    public static Verdict Forward(uint nextHop) => new(VerdictKind.Forward, DropReason.None, nextHop);

    public override string ToString() => Kind switch
    {
        VerdictKind.Drop => $"drop({DropReasons.Name(Reason)})",
        VerdictKind.Forward => $"forward({Services.Ipv4.Format(NextHop)})",
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
