using System.Buffers.Binary;

namespace Lvs.Core.Packets;

/// <summary>
/// An Ethernet/IPv4 ARP packet (RFC 826), 28 bytes:
/// <code>
/// +--------+--------+--------+--------+
/// |  HTYPE (1)      |  PTYPE (0x0800) |
/// +--------+--------+--------+--------+
/// | HLEN=6 | PLEN=4 |   OPER (1 / 2)  |
/// +--------+--------+--------+--------+
/// |   sender hardware address (6)     |
/// |   ...           | sender IP (4)   |
/// |   ...           | target HW (6)   |
/// |   ...                             |
/// |          target IP (4)            |
/// +--------+--------+--------+--------+
/// </code>
/// </summary>
public readonly ref struct ArpPacket
{
    public const int Length = 28;
    public const ushort OperationRequest = 1;
    public const ushort OperationReply = 2;

    private readonly Span<byte> _packet;

    private ArpPacket(Span<byte> packet) => _packet = packet;

    /// <summary>Accepts only Ethernet/IPv4 ARP (htype 1, ptype 0x0800, hlen 6, plen 4).</summary>
    public static bool TryCreate(Span<byte> bytes, out ArpPacket packet)
    {
        packet = default;
        if (bytes.Length < Length
            || BinaryPrimitives.ReadUInt16BigEndian(bytes) != 1
            || BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]) != EthernetFrame.TypeIPv4
            || bytes[4] != 6 || bytes[5] != 4)
        {
            return false;
        }

        packet = new ArpPacket(bytes[..Length]);
        return true;
    }

    public ushort Operation => BinaryPrimitives.ReadUInt16BigEndian(_packet[6..]);

    public Span<byte> SenderHardwareAddress => _packet.Slice(8, 6);

    public uint SenderProtocolAddress => BinaryPrimitives.ReadUInt32BigEndian(_packet[14..]);

    public Span<byte> TargetHardwareAddress => _packet.Slice(18, 6);

    public uint TargetProtocolAddress => BinaryPrimitives.ReadUInt32BigEndian(_packet[24..]);

    /// <summary>Writes an Ethernet broadcast ARP request for <paramref name="targetIp"/> into <paramref name="frame"/> (42 bytes).</summary>
    public static int WriteRequest(Span<byte> frame, ReadOnlySpan<byte> senderMac, uint senderIp, uint targetIp)
    {
        const int total = EthernetFrame.HeaderLength + Length;
        frame[..6].Fill(0xFF);
        senderMac[..6].CopyTo(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EthernetFrame.TypeArp);
        Span<byte> arp = frame.Slice(EthernetFrame.HeaderLength, Length);
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], EthernetFrame.TypeIPv4);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], OperationRequest);
        senderMac[..6].CopyTo(arp[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(arp[14..], senderIp);
        arp.Slice(18, 6).Clear();
        BinaryPrimitives.WriteUInt32BigEndian(arp[24..], targetIp);
        return total;
    }
}
