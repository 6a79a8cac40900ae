using System.Buffers.Binary;

namespace Lvs.Core.Packets;

/// <summary>
/// A UDP header (RFC 768):
/// <code>
///  0      7 8     15 16    23 24    31
/// +--------+--------+--------+--------+
/// |     Source      |   Destination   |
/// |      Port       |      Port       |
/// +--------+--------+--------+--------+
/// |     Length      |    Checksum     |
/// +--------+--------+--------+--------+
/// </code>
/// A checksum of zero means "none" over IPv4.
/// </summary>
public readonly ref struct UdpDatagram
{
    public const int HeaderLength = 8;
    public const int ChecksumOffset = 6;

    private readonly Span<byte> _datagram;

    private UdpDatagram(Span<byte> datagram) => _datagram = datagram;

    /// <summary>
    /// Validates the header. The Length field must cover the header and fit the IP payload;
    /// GSO (UDP_L4) super-frames are the exception the caller allows with <paramref name="gso"/>.
    /// </summary>
    public static bool TryCreate(Span<byte> bytes, out UdpDatagram datagram, bool gso = false)
    {
        datagram = default;
        if (bytes.Length < HeaderLength)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[4..]);
        if (!gso && (length < HeaderLength || length > bytes.Length))
        {
            return false;
        }

        datagram = new UdpDatagram(bytes);
        return true;
    }

    public Span<byte> Bytes => _datagram;

    public ushort SourcePort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_datagram);
        set => BinaryPrimitives.WriteUInt16BigEndian(_datagram, value);
    }

    public ushort DestinationPort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_datagram[2..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_datagram[2..], value);
    }

    public ushort Length => BinaryPrimitives.ReadUInt16BigEndian(_datagram[4..]);

    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_datagram[ChecksumOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_datagram[ChecksumOffset..], value);
    }
}
