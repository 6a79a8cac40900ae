using System.Buffers.Binary;

namespace Lvs.Core.Packets;

/// <summary>
/// A TCP header (RFC 9293 §3.1):
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          Source Port          |       Destination Port        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                        Sequence Number                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Acknowledgment Number                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Data |       |C|E|U|A|P|R|S|F|                               |
/// | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           Checksum            |         Urgent Pointer        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </summary>
public readonly ref struct TcpSegment
{
    public const int MinHeaderLength = 20;
    public const int ChecksumOffset = 16;
    public const byte Fin = 0x01;
    public const byte Syn = 0x02;
    public const byte Rst = 0x04;
    public const byte Psh = 0x08;
    public const byte Ack = 0x10;

    private readonly Span<byte> _segment;

    private TcpSegment(Span<byte> segment) => _segment = segment;

    public static TcpParseResult TryCreate(Span<byte> bytes, out TcpSegment segment)
    {
        segment = default;
        if (bytes.Length < MinHeaderLength)
        {
            return TcpParseResult.Truncated;
        }

        int offset = (bytes[12] >> 4) * 4;
        if (offset < MinHeaderLength)
        {
            return TcpParseResult.BadDataOffset;
        }

        if (offset > bytes.Length)
        {
            return TcpParseResult.Truncated;
        }

        segment = new TcpSegment(bytes);
        return TcpParseResult.Ok;
    }

    public Span<byte> Bytes => _segment;

    public ushort SourcePort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_segment);
        set => BinaryPrimitives.WriteUInt16BigEndian(_segment, value);
    }

    public ushort DestinationPort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_segment[2..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_segment[2..], value);
    }

    public uint SequenceNumber => BinaryPrimitives.ReadUInt32BigEndian(_segment[4..]);

    public uint AcknowledgmentNumber => BinaryPrimitives.ReadUInt32BigEndian(_segment[8..]);

    public int DataOffset => (_segment[12] >> 4) * 4;

    public byte Flags => _segment[13];

    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_segment[ChecksumOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_segment[ChecksumOffset..], value);
    }

    public Span<byte> Payload => _segment[DataOffset..];
}

public enum TcpParseResult
{
    Ok,
    Truncated,
    BadDataOffset,
}
