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

    // IPv6 (appended so earlier values keep their numbers).

    /// <summary>An IPv6 header cut short, or not version 6.</summary>
    Ipv6Truncated,

    /// <summary>An IPv6 payload length that runs past the frame.</summary>
    Ipv6PayloadLength,

    /// <summary>A packet for an IPv6 VIP whose extension-header chain is truncated, malformed or too long.</summary>
    Ipv6ExtensionHeaders,

    /// <summary>UDP over IPv6 with checksum zero, which RFC 8200 §8.1 forbids (receivers discard it).</summary>
    Udp6ZeroChecksum,

    /// <summary>Too big for the path to the real server; an ICMPv6 Packet Too Big went back to the client.</summary>
    PacketTooBig,

    /// <summary>A tunnel the data path cannot build (GUE/GRE with an IPv6 side, or an IPv4 packet too big for an IPv6 tunnel without DF).</summary>
    TunnelUnsupported,
}

public static class DropReasons
{
    public const int Count = (int)DropReason.TunnelUnsupported + 1;

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
        DropReason.Ipv6Truncated => "ipv6-truncated",
        DropReason.Ipv6PayloadLength => "ipv6-payload-length",
        DropReason.Ipv6ExtensionHeaders => "ipv6-bad-ext-headers",
        DropReason.Udp6ZeroChecksum => "udp6-zero-checksum",
        DropReason.PacketTooBig => "packet-too-big",
        DropReason.TunnelUnsupported => "tunnel-unsupported",
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
