namespace Lvs.Vrrp.Packets;

/// <summary>
/// Why a received VRRP packet was dropped (RFC 5798 §7.1, RFC 3768 §7.1, and keepalived's
/// extra checks). Every dropped packet is counted under exactly one reason and never acted on.
/// </summary>
public enum VrrpDropReason
{
    /// <summary>Not dropped.</summary>
    None = 0,

    /// <summary>Shorter than the IP header plus the 8-byte VRRP header.</summary>
    TooShort,

    /// <summary>TTL (IPv4) or hop limit (IPv6) is not 255: the sender is not on this link.</summary>
    WrongTtl,

    /// <summary>Version is neither 2 nor 3, or not the version the instance runs.</summary>
    WrongVersion,

    /// <summary>Type is not 1 (ADVERTISEMENT).</summary>
    WrongType,

    /// <summary>The packet length does not match the address count (and v2's 8 bytes of authentication data).</summary>
    LengthMismatch,

    /// <summary>The checksum does not verify (v3: over the IPv4/IPv6 pseudo-header too).</summary>
    BadChecksum,

    /// <summary>No instance on this interface and family has the packet's VRID.</summary>
    UnknownVrid,

    /// <summary>v2: the authentication type differs from the instance's.</summary>
    AuthTypeMismatch,

    /// <summary>v2: the PASS authentication data differs from the instance's.</summary>
    AuthMismatch,

    /// <summary>The address count differs from the instance's virtual_ipaddress count.</summary>
    AddressCountMismatch,

    /// <summary>An address of the instance is missing from the advert.</summary>
    AddressMismatch,

    /// <summary>v2: the advertisement interval differs from the instance's (keepalived drops these too).</summary>
    IntervalMismatch,

    /// <summary>The IP header is not a well-formed IPv4 header carrying protocol 112.</summary>
    BadIpHeader,

    /// <summary>A unicast instance got an advert from an address that is not one of its unicast_peer.</summary>
    UnknownPeer,
}
