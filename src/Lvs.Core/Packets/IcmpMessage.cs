using System.Buffers.Binary;

namespace Lvs.Core.Packets;

/// <summary>
/// An ICMP message header (RFC 792):
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Type      |     Code      |          Checksum             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  rest of header (type-specific)               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Error messages (3, 11, 12...) carry the offending packet's IP header + 8 bytes after it.
/// </summary>
public readonly ref struct IcmpMessage
{
    public const int HeaderLength = 8;
    public const byte TypeEchoReply = 0;
    public const byte TypeDestinationUnreachable = 3;
    public const byte TypeEchoRequest = 8;
    public const byte TypeTimeExceeded = 11;
    public const byte CodeFragmentationNeeded = 4;

    private readonly Span<byte> _message;

    private IcmpMessage(Span<byte> message) => _message = message;

    public static bool TryCreate(Span<byte> bytes, out IcmpMessage message)
    {
        message = default;
        if (bytes.Length < HeaderLength)
        {
            return false;
        }

        message = new IcmpMessage(bytes);
        return true;
    }

    public Span<byte> Bytes => _message;

    public byte Type => _message[0];

    public byte Code => _message[1];

    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_message[2..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_message[2..], value);
    }

    /// <summary>True for the error types that quote an inner packet.</summary>
    public bool IsError => Type is TypeDestinationUnreachable or TypeTimeExceeded or 4 or 5 or 12;

    /// <summary>The quoted packet of an error message.</summary>
    public Span<byte> Body => _message[HeaderLength..];
}
