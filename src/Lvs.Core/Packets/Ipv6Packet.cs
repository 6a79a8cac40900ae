using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Lvs.Core.Packets;

/// <summary>
/// An IPv6 header (RFC 8200 §3) over the packet's bytes:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Version| Traffic Class |           Flow Label                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Payload Length        |  Next Header  |   Hop Limit   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// +                         Source Address                        +
/// |                          (128 bits)                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                                                               |
/// +                      Destination Address                      +
/// |                          (128 bits)                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// <see cref="TryCreate"/> validates version and payload length once; the accessors then read
/// without further checks. There is no header checksum: changing the hop limit or an address
/// touches only the transport checksum, through its pseudo-header (<see cref="Checksum6"/>).
/// Extension headers between this header and the transport are found by
/// <see cref="Ipv6ExtensionHeaders.Walk"/>.
/// </summary>
public readonly ref struct Ipv6Packet
{
    public const int HeaderLength = 40;

    /// <summary>The IPv6 minimum link MTU (RFC 8200 §5), also the ceiling of an ICMPv6 error (RFC 4443 §2.4 c).</summary>
    public const int MinimumMtu = 1280;

    public const byte NextHeaderHopByHop = 0;
    public const byte NextHeaderIpv4 = 4;
    public const byte NextHeaderTcp = 6;
    public const byte NextHeaderUdp = 17;
    public const byte NextHeaderIpv6 = 41;
    public const byte NextHeaderRouting = 43;
    public const byte NextHeaderFragment = 44;
    public const byte NextHeaderEsp = 50;
    public const byte NextHeaderAh = 51;
    public const byte NextHeaderIcmpv6 = 58;
    public const byte NextHeaderNone = 59;
    public const byte NextHeaderDestinationOptions = 60;

    private readonly Span<byte> _packet;

    private Ipv6Packet(Span<byte> packet) => _packet = packet;

    /// <summary>
    /// Validates the header; on success the view covers exactly 40 + Payload Length bytes
    /// (Ethernet padding after it is cut off). A payload length of 0 is taken literally:
    /// jumbograms (RFC 2675) do not occur on the links lvsd serves.
    /// </summary>
    public static Ipv6ParseResult TryCreate(Span<byte> bytes, out Ipv6Packet packet)
    {
        packet = default;
        if (bytes.Length < HeaderLength)
        {
            return Ipv6ParseResult.Truncated;
        }

        if (bytes[0] >> 4 != 6)
        {
            return Ipv6ParseResult.BadVersion;
        }

        int total = HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(bytes[4..]);
        if (total > bytes.Length)
        {
            return Ipv6ParseResult.PayloadLengthPastFrame;
        }

        packet = new Ipv6Packet(bytes[..total]);
        return Ipv6ParseResult.Ok;
    }

    public Span<byte> Bytes => _packet;

    /// <summary>40 + Payload Length.</summary>
    public int TotalLength => _packet.Length;

    /// <summary>DSCP and ECN (RFC 2474, RFC 3168).</summary>
    public byte TrafficClass
    {
        get => (byte)(BinaryPrimitives.ReadUInt16BigEndian(_packet) >> 4);
        set => BinaryPrimitives.WriteUInt16BigEndian(_packet, (ushort)((6 << 12) | (value << 4) | (_packet[1] & 0x0F)));
    }

    /// <summary>The 20-bit flow label (RFC 6437).</summary>
    public uint FlowLabel
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_packet) & 0x000F_FFFF;
        set => BinaryPrimitives.WriteUInt32BigEndian(_packet, (BinaryPrimitives.ReadUInt32BigEndian(_packet) & 0xFFF0_0000) | (value & 0x000F_FFFF));
    }

    /// <summary>Bytes after the fixed header, extension headers included.</summary>
    public ushort PayloadLength => BinaryPrimitives.ReadUInt16BigEndian(_packet[4..]);

    /// <summary>The type of the header that follows the fixed header (an extension header or the transport).</summary>
    public byte NextHeader => _packet[6];

    public byte HopLimit
    {
        get => _packet[7];
        set => _packet[7] = value;
    }

    public Ipv6Address Source
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Ipv6Address.ReadFrom(_packet[8..]);
        set => value.WriteTo(_packet[8..]);
    }

    public Ipv6Address Destination
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => Ipv6Address.ReadFrom(_packet[24..]);
        set => value.WriteTo(_packet[24..]);
    }

    public Span<byte> Header => _packet[..HeaderLength];

    /// <summary>Everything after the fixed header, extension headers included.</summary>
    public Span<byte> Payload => _packet[HeaderLength..];

    /// <summary>Decrements the hop limit; IPv6 has no header checksum to patch.</summary>
    public void DecrementHopLimit() => _packet[7]--;

    /// <summary>Walks the extension headers of this packet (see <see cref="Ipv6ExtensionHeaders.Walk"/>).</summary>
    public Ipv6WalkResult FindUpperLayer(out Ipv6UpperLayer upper) => Ipv6ExtensionHeaders.Walk(_packet, out upper);
}

/// <summary>Outcome of <see cref="Ipv6Packet.TryCreate"/>.</summary>
public enum Ipv6ParseResult
{
    Ok,
    Truncated,
    BadVersion,
    PayloadLengthPastFrame,
}
