namespace Lvs.Core.Forwarding;

/// <summary>Why the data path dropped a frame. Each has a counter; lvsadm -L --drops lists them.</summary>
public enum DropReason : byte
{
    None,
    FrameTruncated,
    IpTruncated,
    IpBadVersion,
    IpHeaderLength,
    IpTotalLength,
    IpTotalLengthPastFrame,
    IpChecksum,
    IcmpChecksum,
    Fragment,
    TcpTruncated,
    TcpDataOffset,
    UdpTruncated,
    UdpLength,
    TtlExceeded,
    NoConnection,
    NoDestination,

    /// <summary>A connection's real server was deleted and expire_nodest_conn is on: the connection was expired.</summary>
    DestinationRemoved,
    TableFull,
    TunnelGsoUnsupported,

    // Set by the I/O layer, after the core's verdict.
    NoRoute,

    /// <summary>A DR real server whose route goes through a gateway: DR needs it on the director's own link.</summary>
    NotOnLink,
    NeighbourUnresolved,
    TooBig,

    /// <summary>Too big for the tunnel with DF set; an ICMP fragmentation-needed went back to the client.</summary>
    FragmentationNeeded,
    TransmitFailed,
}

public static class DropReasons
{
    public const int Count = (int)DropReason.TransmitFailed + 1;

    /// <summary>The name lvsadm prints: kebab-case of the enum member.</summary>
    public static string Name(DropReason reason) => reason switch
    {
        DropReason.None => "none",
        DropReason.FrameTruncated => "frame-truncated",
        DropReason.IpTruncated => "ip-truncated",
        DropReason.IpBadVersion => "ip-bad-version",
        DropReason.IpHeaderLength => "ip-header-length",
        DropReason.IpTotalLength => "ip-total-length",
        DropReason.IpTotalLengthPastFrame => "ip-total-length-past-frame",
        DropReason.IpChecksum => "ip-checksum",
        DropReason.IcmpChecksum => "icmp-checksum",
        DropReason.Fragment => "fragment",
        DropReason.TcpTruncated => "tcp-truncated",
        DropReason.TcpDataOffset => "tcp-data-offset",
        DropReason.UdpTruncated => "udp-truncated",
        DropReason.UdpLength => "udp-length",
        DropReason.TtlExceeded => "ttl-exceeded",
        DropReason.NoConnection => "no-connection",
        DropReason.NoDestination => "no-destination",
        DropReason.DestinationRemoved => "destination-removed",
        DropReason.TableFull => "table-full",
        DropReason.TunnelGsoUnsupported => "tunnel-gso-unsupported",
        DropReason.NoRoute => "no-route",
        DropReason.NotOnLink => "dr-not-on-link",
        DropReason.NeighbourUnresolved => "neighbour-unresolved",
        DropReason.TooBig => "too-big",
        DropReason.FragmentationNeeded => "fragmentation-needed",
        DropReason.TransmitFailed => "transmit-failed",
        _ => "unknown",
    };
}

/// <summary>One worker's drop counters, indexed by <see cref="DropReason"/>; read by the control plane.</summary>
public sealed class DropCounters
{
    private readonly long[] _counts = new long[DropReasons.Count];

    public void Add(DropReason reason) => _counts[(int)reason]++;

    public long this[DropReason reason] => Volatile.Read(ref _counts[(int)reason]);
}
