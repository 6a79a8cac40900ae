using System.Buffers.Binary;

namespace Lvs.Core.Packets;

/// <summary>
/// An ICMPv6 message (RFC 4443 §2.1):
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Type      |     Code      |          Checksum             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   unused / MTU (type 2) / pointer (type 4) / type-specific    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |    as much of the invoking packet as fits in 1280 bytes       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Types 0..127 are errors, 128..255 informational (echo, neighbour discovery). The checksum
/// covers the IPv6 pseudo-header (<see cref="Checksum6"/>), so verifying or filling it needs
/// the addresses of the packet around the message.
/// </summary>
public readonly ref struct Icmpv6Message
{
    public const int HeaderLength = 8;
    public const int ChecksumOffset = 2;

    public const byte TypeDestinationUnreachable = 1;
    public const byte TypePacketTooBig = 2;
    public const byte TypeTimeExceeded = 3;
    public const byte TypeParameterProblem = 4;
    public const byte TypeEchoRequest = 128;
    public const byte TypeEchoReply = 129;
    public const byte TypeRouterSolicitation = 133;
    public const byte TypeRouterAdvertisement = 134;
    public const byte TypeNeighbourSolicitation = 135;
    public const byte TypeNeighbourAdvertisement = 136;
    public const byte TypeRedirect = 137;

    /// <summary>Destination unreachable, code 4 (RFC 4443 §3.1): what a NAT director answers for a closed port.</summary>
    public const byte CodePortUnreachable = 4;

    /// <summary>Time exceeded, code 0: hop limit exceeded in transit.</summary>
    public const byte CodeHopLimitExceeded = 0;

    private readonly Span<byte> _message;

    private Icmpv6Message(Span<byte> message) => _message = message;

    public static bool TryCreate(Span<byte> bytes, out Icmpv6Message message)
    {
        message = default;
        if (bytes.Length < HeaderLength)
        {
            return false;
        }

        message = new Icmpv6Message(bytes);
        return true;
    }

    public Span<byte> Bytes => _message;

    public byte Type => _message[0];

    public byte Code => _message[1];

    public ushort Checksum
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(_message[ChecksumOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(_message[ChecksumOffset..], value);
    }

    /// <summary>RFC 4443 §2.1: the high-order bit of the type clear means an error message.</summary>
    public bool IsError => Type < 128;

    /// <summary>The four error types of RFC 4443 §3, each quoting the invoking packet after an 8-byte header.</summary>
    public bool QuotesPacket => Type is >= TypeDestinationUnreachable and <= TypeParameterProblem;

    /// <summary>The second word: the MTU of a packet too big, the pointer of a parameter problem.</summary>
    public uint Parameter
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(_message[4..]);
        set => BinaryPrimitives.WriteUInt32BigEndian(_message[4..], value);
    }

    /// <summary>The MTU of the next hop in a packet too big (type 2).</summary>
    public uint Mtu => Parameter;

    /// <summary>What follows the 8-byte header: the quoted packet of an error.</summary>
    public Span<byte> Body => _message[HeaderLength..];

    /// <summary>True when the checksum verifies under the given IPv6 addresses.</summary>
    public bool ChecksumValid(Ipv6Address source, Ipv6Address destination) =>
        Checksum6.Verify(source, destination, Ipv6Packet.NextHeaderIcmpv6, _message);

    /// <summary>Recomputes the checksum over the whole message under the given IPv6 addresses.</summary>
    public void UpdateChecksum(Ipv6Address source, Ipv6Address destination)
    {
        Checksum = 0;
        Checksum = Checksum6.Transport(source, destination, Ipv6Packet.NextHeaderIcmpv6, _message);
    }
}
