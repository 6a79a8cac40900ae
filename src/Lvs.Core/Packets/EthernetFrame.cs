using System.Buffers.Binary;

namespace Lvs.Core.Packets;

/// <summary>
/// An Ethernet II frame header (IEEE 802.3), 14 bytes:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  destination MAC (6 bytes) ...                |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  ... dst MAC    |               source MAC (6 bytes) ...      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |            ... source MAC           |          EtherType          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// 802.1Q tags are not parsed: a tagged frame reports EtherType 0x8100.
/// </summary>
public readonly ref struct EthernetFrame
{
    public const int HeaderLength = 14;
    public const ushort TypeIPv4 = 0x0800;
    public const ushort TypeArp = 0x0806;
    public const ushort TypeVlan = 0x8100;
    public const ushort TypeIPv6 = 0x86DD;

    private readonly Span<byte> _frame;

    private EthernetFrame(Span<byte> frame) => _frame = frame;

    public static bool TryCreate(Span<byte> frame, out EthernetFrame view)
    {
        if (frame.Length < HeaderLength)
        {
            view = default;
            return false;
        }

        view = new EthernetFrame(frame);
        return true;
    }

    public Span<byte> Destination => _frame[..6];

    public Span<byte> Source => _frame.Slice(6, 6);

    public ushort EtherType => BinaryPrimitives.ReadUInt16BigEndian(_frame[12..]);

    public Span<byte> Payload => _frame[HeaderLength..];

    public Span<byte> Bytes => _frame;
}
