using System.Buffers.Binary;

namespace Lvs.Core.Packets;

/// <summary>
/// An ICMPv6 error (RFC 4443 §3: destination unreachable, packet too big, time exceeded,
/// parameter problem) and the packet it quotes: the quoted IPv6 header, its extension
/// headers, and at least the first 8 bytes of the TCP or UDP header (the ports):
/// <code>
/// +--------+--------+-----------------+
/// | type   | code   |    checksum     |  ICMPv6 header (8)
/// |     unused / MTU / pointer        |
/// +--------+--------+-----------------+
/// | quoted IPv6 header (40)           |
/// | quoted extension headers (0..n)   |
/// | quoted TCP/UDP ports, ... (>= 8)  |
/// +-----------------------------------+
/// </code>
/// The IPv6 analogue of <c>Forwarding.IcmpErrorView</c>. The quote is truncated by design
/// (RFC 4443 §2.4 c), so its Payload Length is not checked against what is present. ip_vs
/// (<c>ip_vs_in_icmp_v6</c>) translates types 1 to 3; type 4 is accepted here so the caller
/// decides.
/// </summary>
public readonly ref struct Icmpv6ErrorView
{
    private readonly Span<byte> _icmp;
    private readonly int _innerUpperOffset;
    private readonly byte _innerProtocol;

    private Icmpv6ErrorView(Span<byte> icmp, int innerUpperOffset, byte innerProtocol)
    {
        _icmp = icmp;
        _innerUpperOffset = innerUpperOffset;
        _innerProtocol = innerProtocol;
    }

    /// <summary>
    /// Accepts an ICMPv6 error of types 1..4 quoting a TCP or UDP packet whose ports are present:
    /// an unfragmented packet or a first fragment. Never throws.
    /// </summary>
    public static bool TryCreate(Span<byte> icmpBytes, out Icmpv6ErrorView view)
    {
        view = default;
        if (!Icmpv6Message.TryCreate(icmpBytes, out Icmpv6Message icmp) || !icmp.QuotesPacket)
        {
            return false;
        }

        Span<byte> quoted = icmp.Body;
        if (quoted.Length < Ipv6Packet.HeaderLength || quoted[0] >> 4 != 6
            || Ipv6ExtensionHeaders.Walk(quoted, out Ipv6UpperLayer upper) != Ipv6WalkResult.Ok)
        {
            return false;
        }

        if (upper.FragmentOffset != 0
            || (upper.Protocol != Ipv6Packet.NextHeaderTcp && upper.Protocol != Ipv6Packet.NextHeaderUdp)
            || quoted.Length - upper.Offset < 8)
        {
            return false;
        }

        view = new Icmpv6ErrorView(icmpBytes, upper.Offset, upper.Protocol);
        return true;
    }

    public Span<byte> Bytes => _icmp;

    public byte Type => _icmp[0];

    public byte Code => _icmp[1];

    /// <summary>The MTU of a packet too big (type 2); the pointer of a parameter problem (type 4).</summary>
    public uint Parameter => BinaryPrimitives.ReadUInt32BigEndian(_icmp[4..]);

    /// <summary>The quoted packet, from its IPv6 header on.</summary>
    public Span<byte> Quoted => _icmp[Icmpv6Message.HeaderLength..];

    /// <summary>TCP (6) or UDP (17).</summary>
    public byte InnerProtocol => _innerProtocol;

    /// <summary>Offset of the quoted TCP/UDP header from the start of the quoted IPv6 header.</summary>
    public int InnerUpperLayerOffset => _innerUpperOffset;

    /// <summary>The quoted packet's source (no header checksum to patch in IPv6).</summary>
    public Ipv6Address InnerSource
    {
        get => Ipv6Address.ReadFrom(Quoted[8..]);
        set => value.WriteTo(Quoted[8..]);
    }

    public Ipv6Address InnerDestination
    {
        get => Ipv6Address.ReadFrom(Quoted[24..]);
        set => value.WriteTo(Quoted[24..]);
    }

    public ushort InnerSourcePort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(Quoted[_innerUpperOffset..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(Quoted[_innerUpperOffset..], value);
    }

    public ushort InnerDestinationPort
    {
        get => BinaryPrimitives.ReadUInt16BigEndian(Quoted[(_innerUpperOffset + 2)..]);
        set => BinaryPrimitives.WriteUInt16BigEndian(Quoted[(_innerUpperOffset + 2)..], value);
    }

    /// <summary>
    /// Recomputes the ICMPv6 checksum over the whole message under the (possibly rewritten)
    /// outer addresses, as <c>ip_vs_nat_icmp_v6</c> does; the quoted transport checksum is left
    /// alone, as there.
    /// </summary>
    public void UpdateChecksum(Ipv6Address outerSource, Ipv6Address outerDestination)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_icmp[Icmpv6Message.ChecksumOffset..], 0);
        ushort sum = Checksum6.Transport(outerSource, outerDestination, Ipv6Packet.NextHeaderIcmpv6, _icmp);
        BinaryPrimitives.WriteUInt16BigEndian(_icmp[Icmpv6Message.ChecksumOffset..], sum);
    }
}
