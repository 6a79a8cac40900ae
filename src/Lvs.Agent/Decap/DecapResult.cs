namespace Lvs.Agent.Decap;

/// <summary>The tunnel encapsulations ip_vs builds (ipvsadm --tun-type).</summary>
public enum TunnelType
{
    /// <summary>IPv4 in IPv4 (IP protocol 4), ipvsadm's default.</summary>
    Ipip,

    /// <summary>Generic UDP Encapsulation, variant 0, to a configured UDP port.</summary>
    Gue,

    /// <summary>GRE (IP protocol 47), RFC 2784 with the RFC 2890 key and sequence words.</summary>
    Gre,
}

/// <summary>
/// What <see cref="Decapsulator"/> decided about one received packet: <see cref="Deliver"/> or
/// the reason it is dropped. Every reason is a counter the agent prints; none is ever injected.
/// </summary>
public enum DecapResult : byte
{
    /// <summary>A well-formed inner IPv4 or IPv6 packet for one of our VIPs: inject it.</summary>
    Deliver,

    /// <summary>The outer IPv4 header is cut short or its total length runs past the read.</summary>
    OuterTruncated,

    /// <summary>The outer header is not a plausible IPv4 header (version, IHL, total length).</summary>
    OuterMalformed,

    /// <summary>The outer protocol is not the tunnel's (4, 47 or UDP).</summary>
    OuterWrongProtocol,

    /// <summary>The outer UDP header is cut short or its length disagrees with the packet.</summary>
    UdpMalformed,

    /// <summary>A non-zero outer UDP checksum that does not verify.</summary>
    UdpBadChecksum,

    /// <summary>Fewer bytes than the GRE header its flags announce.</summary>
    GreTruncated,

    /// <summary>GRE version other than 0.</summary>
    GreBadVersion,

    /// <summary>GRE routing (R) bit set: RFC 2784 receivers discard it, as Linux does.</summary>
    GreRouting,

    /// <summary>GRE protocol type other than IPv4 (0x0800).</summary>
    GreBadProtocol,

    /// <summary>C bit set and the GRE checksum does not verify.</summary>
    GreBadChecksum,

    /// <summary>Fewer bytes than the GUE header and the option length (hlen) it announces.</summary>
    GueTruncated,

    /// <summary>GUE variant 2 or 3 (0 is the header ip_vs sends, 1 direct IPv4 is accepted too).</summary>
    GueBadVersion,

    /// <summary>A GUE control message (C bit): there is no packet to deliver.</summary>
    GueControl,

    /// <summary>hlen too small for the optional fields the flags announce.</summary>
    GueBadHeaderLength,

    /// <summary>Standard or private GUE flags we do not know, so the option layout is unknown.</summary>
    GueBadFlags,

    /// <summary>GUE proto_ctype other than 4 (IPv4 in GUE).</summary>
    GueBadProtocol,

    /// <summary>A remote checksum offload option pointing outside the inner packet, or odd.</summary>
    GueBadRemcsum,

    /// <summary>The inner packet is cut short: shorter than its IPv4 header or its total length.</summary>
    InnerTruncated,

    /// <summary>The inner packet is not IPv4.</summary>
    InnerNotIpv4,

    /// <summary>The inner IPv4 header is malformed (IHL below 5, total length below IHL).</summary>
    InnerMalformed,

    /// <summary>The inner IPv4 header checksum does not verify.</summary>
    InnerBadChecksum,

    /// <summary>The inner destination is not one of the VIPs this agent serves.</summary>
    NotOurVip,

    /// <summary>The tunnel announced an IPv6 inner packet (next header / protocol 41) and it is not IPv6.</summary>
    InnerNotIpv6,

    /// <summary>
    /// The inner IPv6 packet's extension header chain runs past its payload length, puts
    /// hop-by-hop options after another header, repeats the fragment header, or is too long.
    /// </summary>
    InnerBadExtensionHeaders,
}

/// <summary>Stable names for the drop reasons, as the agent logs them.</summary>
public static class DecapResultNames
{
    private static readonly string[] Names =
    [
        "delivered",
        "outer-truncated",
        "outer-malformed",
        "outer-wrong-protocol",
        "udp-malformed",
        "udp-bad-checksum",
        "gre-truncated",
        "gre-bad-version",
        "gre-routing",
        "gre-bad-protocol",
        "gre-bad-checksum",
        "gue-truncated",
        "gue-bad-version",
        "gue-control",
        "gue-bad-hlen",
        "gue-bad-flags",
        "gue-bad-protocol",
        "gue-bad-remcsum",
        "inner-truncated",
        "inner-not-ipv4",
        "inner-malformed",
        "inner-bad-checksum",
        "not-our-vip",
        "inner-not-ipv6",
        "inner-bad-ext-headers",
    ];

    /// <summary>How many values <see cref="DecapResult"/> has.</summary>
    public static int Count => Names.Length;

    /// <summary>The kebab-case name of <paramref name="result"/>.</summary>
    public static string Name(this DecapResult result) => Names[(int)result];
}
