using System.Buffers.Binary;
using Lvs.Core.Packets;

namespace Lvs.Core.Forwarding;

/// <summary>
/// An ICMP error (destination unreachable, time exceeded, parameter problem...) and the packet it
/// quotes: the quoted IPv4 header plus at least the first 8 bytes of its payload (the ports).
/// The quote is truncated by design, so its Total Length is not checked against what is present.
/// </summary>
public readonly ref struct IcmpErrorView
{
    private readonly Span<byte> _icmp;
    private readonly int _innerHeaderLength;

    private IcmpErrorView(Span<byte> icmp, int innerHeaderLength)
    {
        _icmp = icmp;
        _innerHeaderLength = innerHeaderLength;
    }

    /// <summary>Accepts an ICMP error quoting an unfragmented-at-offset-0 TCP or UDP packet with its ports.</summary>
    public static bool TryCreate(Span<byte> icmpBytes, out IcmpErrorView view)
    {
        view = default;
        if (!IcmpMessage.TryCreate(icmpBytes, out IcmpMessage icmp) || !icmp.IsError)
        {
            return false;
        }

        Span<byte> quoted = icmp.Body;
        if (quoted.Length < Ipv4Packet.MinHeaderLength || quoted[0] >> 4 != 4)
        {
            return false;
        }

        int ihl = (quoted[0] & 0x0F) * 4;
        if (ihl < Ipv4Packet.MinHeaderLength || quoted.Length < ihl + 8)
        {
            return false;
        }

        byte proto = quoted[9];
        bool firstFragment = (BinaryPrimitives.ReadUInt16BigEndian(quoted[6..]) & 0x1FFF) == 0;
        if (!firstFragment || (proto != Ipv4Packet.ProtocolTcp && proto != Ipv4Packet.ProtocolUdp))
        {
            return false;
        }

        view = new IcmpErrorView(icmpBytes, ihl);
        return true;
    }

    private Span<byte> Quoted => _icmp[IcmpMessage.HeaderLength..];

    public byte InnerProtocol => Quoted[9];

    public uint InnerSource
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(Quoted[12..]);
        set => SetInnerAddress(12, value);
    }

    public uint InnerDestination
    {
        get => BinaryPrimitives.ReadUInt32BigEndian(Quoted[16..]);
        set => SetInnerAddress(16, value);
    }

    public ushort InnerSourcePort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(Quoted[_innerHeaderLength..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(Quoted[_innerHeaderLength..], value);
    }

    public ushort InnerDestinationPort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(Quoted[(_innerHeaderLength + 2)..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(Quoted[(_innerHeaderLength + 2)..], value);
    }

    /// <summary>Recomputes the ICMP checksum over the whole message, as ip_vs_nat_icmp does.</summary>
    public void UpdateChecksum()
    {
        BinaryPrimitives.WriteUInt16BigEndian(_icmp[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(_icmp[2..], Checksum.Compute(_icmp));
    }

    private void SetInnerAddress(int offset, uint value)
    {
        Span<byte> q = Quoted;
        uint old = BinaryPrimitives.ReadUInt32BigEndian(q[offset..]);
        BinaryPrimitives.WriteUInt32BigEndian(q[offset..], value);
        ushort sum = BinaryPrimitives.ReadUInt16BigEndian(q[10..]);
        BinaryPrimitives.WriteUInt16BigEndian(q[10..], Checksum.Update(sum, old, value));
    }
}
