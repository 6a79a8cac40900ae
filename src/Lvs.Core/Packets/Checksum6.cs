using System.Runtime.CompilerServices;

namespace Lvs.Core.Packets;

/// <summary>
/// Upper-layer checksums over IPv6 (RFC 8200 §8.1): the Internet checksum (<see cref="Checksum"/>)
/// of the segment preceded by this pseudo-header:
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// +                         Source Address                        +
/// |                          (128 bits)                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// +                      Destination Address                      +
/// |                          (128 bits)                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                   Upper-Layer Packet Length                   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      zero                     |  Next Header  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The destination is the final one (the last address of a routing header); the length and
/// next header are the upper layer's, not the IPv6 header's. Unlike IPv4, ICMPv6 is covered
/// too, and a UDP checksum is mandatory: a computed zero goes out as 0xFFFF (<see cref="Udp"/>).
/// </summary>
/// <remarks>
/// The incremental updates apply RFC 1624 eqn. 3 to the eight 16-bit words of an address at
/// once: HC' = ~(~HC + Σ~m + Σm'). Summing a 32-bit word in a 64-bit accumulator adds both
/// its 16-bit halves, and complementing the 32-bit word complements both halves, so each
/// address costs four additions per side. The partial form (CHECKSUM_PARTIAL frames, see
/// <see cref="Checksum"/>) moves the non-complemented pseudo-header sum by new - old instead.
/// </remarks>
public static class Checksum6
{
    /// <summary>The pseudo-header sum for an upper-layer segment of <paramref name="length"/> bytes (unfolded).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong PseudoHeader(Ipv6Address source, Ipv6Address destination, byte nextHeader, int length) =>
        AddressSum(source) + AddressSum(destination) + ((uint)length >> 16) + ((uint)length & 0xFFFF) + nextHeader;

    /// <summary>
    /// The full checksum of a TCP, UDP or ICMPv6 segment over IPv6 (its checksum field must
    /// hold zero or be skipped by the caller). For UDP use <see cref="Udp"/>.
    /// </summary>
    public static ushort Transport(Ipv6Address source, Ipv6Address destination, byte nextHeader, ReadOnlySpan<byte> segment) =>
        Checksum.Compute(segment, PseudoHeader(source, destination, nextHeader, segment.Length));

    /// <summary>The UDP checksum over IPv6: a computed zero is sent as 0xFFFF, since zero means "none" and is not allowed (RFC 8200 §8.1).</summary>
    public static ushort Udp(Ipv6Address source, Ipv6Address destination, ReadOnlySpan<byte> segment)
    {
        ushort sum = Transport(source, destination, Ipv6Packet.NextHeaderUdp, segment);
        return sum == 0 ? (ushort)0xFFFF : sum;
    }

    /// <summary>True when a segment with its checksum in place verifies.</summary>
    public static bool Verify(Ipv6Address source, Ipv6Address destination, byte nextHeader, ReadOnlySpan<byte> segment) =>
        Checksum.Fold(Checksum.Add(segment, PseudoHeader(source, destination, nextHeader, segment.Length))) == 0xFFFF;

    /// <summary>The folded, non-complemented pseudo-header sum a CHECKSUM_PARTIAL segment carries.</summary>
    public static ushort Partial(Ipv6Address source, Ipv6Address destination, byte nextHeader, int length) =>
        Checksum.Fold(PseudoHeader(source, destination, nextHeader, length));

    /// <summary>RFC 1624 eqn. 3 for a 128-bit address change in a complete checksum (source or destination rewrite).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Update(ushort checksum, Ipv6Address oldValue, Ipv6Address newValue)
    {
        ulong sum = (ulong)(ushort)~checksum + ComplementSum(oldValue) + AddressSum(newValue);
        return (ushort)~Checksum.Fold(sum);
    }

    /// <summary>Updates a partial (pseudo-header only, non-complemented) checksum for a 128-bit pseudo-header address change.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort UpdatePartial(ushort partial, Ipv6Address oldValue, Ipv6Address newValue)
    {
        ulong sum = (ulong)partial + ComplementSum(oldValue) + AddressSum(newValue);
        return Checksum.Fold(sum);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong AddressSum(Ipv6Address a) =>
        (a.High >> 32) + (a.High & 0xFFFF_FFFF) + (a.Low >> 32) + (a.Low & 0xFFFF_FFFF);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ComplementSum(Ipv6Address a)
    {
        ulong high = ~a.High;
        ulong low = ~a.Low;
        return (high >> 32) + (high & 0xFFFF_FFFF) + (low >> 32) + (low & 0xFFFF_FFFF);
    }
}
