using System.Buffers.Binary;

namespace Lvs.Core.Packets;

/// <summary>
/// The walk from the fixed IPv6 header to the upper-layer header (RFC 8200 §4) across
/// hop-by-hop options (0), routing (43), fragment (44) and destination options (60).
/// Options and routing headers share one layout, their length counted in 8-byte units
/// beyond the first 8:
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Next Header  |  Hdr Ext Len  |                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
/// .            options / routing data ((Hdr Ext Len + 1) * 8 - 2)  .
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The fragment header (RFC 8200 §4.5) is always 8 bytes:
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Identification                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// The walk stops at anything else (TCP, UDP, ICMPv6, no-next-header, ESP and AH, whose
/// contents ip_vs does not look into either, and unknown values) and reports it as the
/// upper layer, like the kernel's <c>ipv6_find_hdr</c>.
/// </summary>
public static class Ipv6ExtensionHeaders
{
    /// <summary>
    /// Beyond this many extension headers the packet is refused. Every header is at least 8
    /// bytes, so the walk is bounded by the packet anyway; the cap keeps a crafted chain of
    /// thousands of tiny headers from costing more than a handful of steps.
    /// </summary>
    public const int MaxExtensionHeaders = 16;

    /// <summary>
    /// Walks from the fixed header at the start of <paramref name="packet"/> to the upper
    /// layer. <paramref name="packet"/> may be a truncated quote (ICMPv6 errors): only the
    /// extension headers must be present, not the upper layer itself. Never throws.
    /// </summary>
    /// <remarks>
    /// A fragment with a non-zero offset does not carry the upper-layer header: the walk stops
    /// after its fragment header and reports <see cref="Ipv6UpperLayer.IsFragment"/> with the
    /// protocol the fragment header names.
    /// </remarks>
    public static Ipv6WalkResult Walk(ReadOnlySpan<byte> packet, out Ipv6UpperLayer upper)
    {
        upper = default;
        if (packet.Length < Ipv6Packet.HeaderLength)
        {
            return Ipv6WalkResult.Truncated;
        }

        byte next = packet[6];
        int offset = Ipv6Packet.HeaderLength;
        int count = 0;
        bool hasFragment = false;
        ushort fragmentOffset = 0;
        bool moreFragments = false;
        uint identification = 0;

        while (true)
        {
            switch (next)
            {
                case Ipv6Packet.NextHeaderHopByHop:
                case Ipv6Packet.NextHeaderRouting:
                case Ipv6Packet.NextHeaderDestinationOptions:
                    // RFC 8200 §4.3: hop-by-hop options may only follow the fixed header.
                    if (next == Ipv6Packet.NextHeaderHopByHop && count != 0)
                    {
                        return Ipv6WalkResult.Malformed;
                    }

                    if (packet.Length - offset < 8)
                    {
                        return Ipv6WalkResult.Truncated;
                    }

                    int length = (packet[offset + 1] + 1) * 8;
                    if (packet.Length - offset < length)
                    {
                        return Ipv6WalkResult.Truncated;
                    }

                    next = packet[offset];
                    offset += length;
                    break;

                case Ipv6Packet.NextHeaderFragment:
                    if (hasFragment)
                    {
                        return Ipv6WalkResult.Malformed;
                    }

                    if (packet.Length - offset < 8)
                    {
                        return Ipv6WalkResult.Truncated;
                    }

                    ushort word = BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]);
                    hasFragment = true;
                    fragmentOffset = (ushort)(word & 0xFFF8);
                    moreFragments = (word & 1) != 0;
                    identification = BinaryPrimitives.ReadUInt32BigEndian(packet[(offset + 4)..]);
                    next = packet[offset];
                    offset += 8;
                    if (fragmentOffset != 0)
                    {
                        upper = new Ipv6UpperLayer(next, offset, true, fragmentOffset, moreFragments, identification);
                        return Ipv6WalkResult.Ok;
                    }

                    break;

                default:
                    upper = new Ipv6UpperLayer(next, offset, hasFragment, fragmentOffset, moreFragments, identification);
                    return Ipv6WalkResult.Ok;
            }

            if (++count > MaxExtensionHeaders)
            {
                return Ipv6WalkResult.TooManyHeaders;
            }
        }
    }
}

/// <summary>Where <see cref="Ipv6ExtensionHeaders.Walk"/> found the upper layer, and the fragment header met on the way.</summary>
public readonly struct Ipv6UpperLayer
{
    public Ipv6UpperLayer(byte protocol, int offset, bool hasFragmentHeader, ushort fragmentOffset, bool moreFragments,
        uint fragmentIdentification)
    {
        Protocol = protocol;
        Offset = offset;
        HasFragmentHeader = hasFragmentHeader;
        FragmentOffset = fragmentOffset;
        MoreFragments = moreFragments;
        FragmentIdentification = fragmentIdentification;
    }

    /// <summary>The upper-layer protocol (the last Next Header value): 6, 17, 58, 59, 50, 51 or anything unknown.</summary>
    public byte Protocol { get; }

    /// <summary>Offset of the upper-layer header from the start of the IPv6 header.</summary>
    public int Offset { get; }

    /// <summary>A fragment header was present (possibly an atomic fragment, RFC 6946).</summary>
    public bool HasFragmentHeader { get; }

    /// <summary>The fragment's offset in bytes (a multiple of 8).</summary>
    public ushort FragmentOffset { get; }

    /// <summary>The M flag of the fragment header.</summary>
    public bool MoreFragments { get; }

    public uint FragmentIdentification { get; }

    /// <summary>
    /// A real fragment: offset non-zero or more to come. An atomic fragment (offset 0, M clear,
    /// RFC 6946) is a whole packet and is not one; the director drops and counts the rest, as for IPv4.
    /// </summary>
    public bool IsFragment => HasFragmentHeader && (FragmentOffset != 0 || MoreFragments);
}

/// <summary>Outcome of <see cref="Ipv6ExtensionHeaders.Walk"/>.</summary>
public enum Ipv6WalkResult
{
    Ok,

    /// <summary>The fixed header or an extension header runs past the bytes given.</summary>
    Truncated,

    /// <summary>Hop-by-hop options not first, or a second fragment header.</summary>
    Malformed,

    /// <summary>More than <see cref="Ipv6ExtensionHeaders.MaxExtensionHeaders"/> extension headers.</summary>
    TooManyHeaders,
}
