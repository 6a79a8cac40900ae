using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Lvs.Core.Packets;

/// <summary>
/// An IPv4 header (RFC 791 §3.1) over the packet's bytes:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Version|  IHL  |Type of Service|          Total Length         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         Identification        |Flags|      Fragment Offset    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Time to Live |    Protocol   |         Header Checksum       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                       Source Address                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Destination Address                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Options (IHL > 5)                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// <see cref="TryCreate"/> validates version, IHL and total length once; the accessors then
/// read without further checks. Addresses are host-order <see cref="uint"/>s.
/// </summary>
public readonly ref struct Ipv4Packet
{
    public const int MinHeaderLength = 20;
    public const byte ProtocolIcmp = 1;
    public const byte ProtocolTcp = 6;
    public const byte ProtocolUdp = 17;

    private readonly Span<byte> _packet;

    private Ipv4Packet(Span<byte> packet) => _packet = packet;

    /// <summary>Validates the header; on success the view covers exactly Total Length bytes.</summary>
    public static Ipv4ParseResult TryCreate(Span<byte> bytes, out Ipv4Packet packet)
    {
        packet = default;
        if (bytes.Length < MinHeaderLength)
        {
            return Ipv4ParseResult.Truncated;
        }

        byte vihl = bytes[0];
        if (vihl >> 4 != 4)
        {
            return Ipv4ParseResult.BadVersion;
        }

        int ihl = (vihl & 0x0F) * 4;
        if (ihl < MinHeaderLength)
        {
            return Ipv4ParseResult.BadHeaderLength;
        }

        int total = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        if (total < ihl)
        {
            return Ipv4ParseResult.BadTotalLength;
        }

        if (total > bytes.Length)
        {
            return Ipv4ParseResult.TotalLengthPastFrame;
        }

        packet = new Ipv4Packet(bytes[..total]);
        return Ipv4ParseResult.Ok;
    }

    public Span<byte> Bytes => _packet;

    public int HeaderLength => (_packet[0] & 0x0F) * 4;

    public int TotalLength => _packet.Length;

    public byte TypeOfService => _packet[1];

    public ushort Identification => BinaryPrimitives.ReadUInt16BigEndian(_packet[4..]);

    /// <summary>Don't Fragment.</summary>
    public bool DontFragment => (_packet[6] & 0x40) != 0;

    /// <summary>True for any fragment: More Fragments set or a non-zero offset.</summary>
    public bool IsFragment => (BinaryPrimitives.ReadUInt16BigEndian(_packet[6..]) & 0x3FFF) != 0;

    public byte TimeToLive
    {
        get => _packet[8];
        set => _packet[8] = value;
    }

    public byte Protocol => _packet[9];

    public ushort HeaderChecksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_packet[10..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_packet[10..], value);
    }

    public uint Source
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => BinaryPrimitives.ReadUInt32BigEndian(_packet[12..]);
        set => BinaryPrimitives.WriteUInt32BigEndian(_packet[12..], value);
    }

    public uint Destination
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => BinaryPrimitives.ReadUInt32BigEndian(_packet[16..]);
        set => BinaryPrimitives.WriteUInt32BigEndian(_packet[16..], value);
    }

    public Span<byte> Header => _packet[..HeaderLength];

    public Span<byte> Payload => _packet[HeaderLength..];

    /// <summary>True when the header checksum verifies.</summary>
    public bool HeaderChecksumValid => Checksum.Fold(Checksum.Add(Header)) == 0xFFFF;

    /// <summary>Recomputes the header checksum from scratch.</summary>
    public void UpdateHeaderChecksum()
    {
        HeaderChecksum = 0;
        HeaderChecksum = Checksum.Compute(Header);
    }

    /// <summary>Decrements TTL and patches the header checksum incrementally (RFC 1624).</summary>
    public void DecrementTimeToLive()
    {
        ushort oldWord = BinaryPrimitives.ReadUInt16BigEndian(_packet[8..]);
        _packet[8]--;
        ushort newWord = BinaryPrimitives.ReadUInt16BigEndian(_packet[8..]);
        HeaderChecksum = Checksum.Update(HeaderChecksum, oldWord, newWord);
    }
}

/// <summary>Outcome of <see cref="Ipv4Packet.TryCreate"/>.</summary>
public enum Ipv4ParseResult
{
    Ok,
    Truncated,
    BadVersion,
    BadHeaderLength,
    BadTotalLength,
    TotalLengthPastFrame,
}
