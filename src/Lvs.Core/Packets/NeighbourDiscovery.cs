using System.Buffers.Binary;

namespace Lvs.Core.Packets;

/// <summary>
/// A neighbour solicitation (RFC 4861 §4.3), an ICMPv6 message of type 135:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Type      |     Code      |          Checksum             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           Reserved                            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// +                       Target Address (128)                    +
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   Options: source link-layer address (type 1) ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-
/// </code>
/// <see cref="TryCreate"/> applies the message checks of RFC 4861 §7.1.1 (code 0, at least 24
/// bytes, target not multicast, every option of non-zero length and inside the message); the
/// checks on the carrying packet are <see cref="Ndp.TryGetVerifiedMessage"/> and <see cref="IsValidFrom"/>.
/// </summary>
public readonly ref struct NeighbourSolicitation
{
    private readonly Span<byte> _message;
    private readonly int _linkLayerOption;

    private NeighbourSolicitation(Span<byte> message, int linkLayerOption)
    {
        _message = message;
        _linkLayerOption = linkLayerOption;
    }

    /// <summary>Validates an ICMPv6 message (type first) as a neighbour solicitation.</summary>
    public static bool TryCreate(Span<byte> icmp, out NeighbourSolicitation solicitation)
    {
        solicitation = default;
        if (!NdpOptions.TryValidate(icmp, Icmpv6Message.TypeNeighbourSolicitation, NdpOptions.SourceLinkLayerAddress, out int option))
        {
            return false;
        }

        solicitation = new NeighbourSolicitation(icmp, option);
        return true;
    }

    public Span<byte> Bytes => _message;

    /// <summary>The address whose link-layer address is asked for.</summary>
    public Ipv6Address Target => Ipv6Address.ReadFrom(_message[8..]);

    public bool HasSourceLinkLayerAddress => _linkLayerOption >= 0;

    /// <summary>The sender's MAC from an Ethernet-sized (length 1) source link-layer address option; empty when absent.</summary>
    public Span<byte> SourceLinkLayerAddress => _linkLayerOption >= 0 ? _message.Slice(_linkLayerOption + 2, 6) : [];

    /// <summary>
    /// RFC 4861 §7.1.1 on the carrying packet: a solicitation from the unspecified address
    /// (duplicate address detection) goes to the target's solicited-node group and has no
    /// source link-layer address option.
    /// </summary>
    public bool IsValidFrom(Ipv6Address source, Ipv6Address destination) =>
        !source.IsUnspecified || (destination == Ndp.SolicitedNodeMulticast(Target) && !HasSourceLinkLayerAddress);
}

/// <summary>
/// A neighbour advertisement (RFC 4861 §4.4), an ICMPv6 message of type 136:
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Type      |     Code      |          Checksum             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |R|S|O|                     Reserved                            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// +                       Target Address (128)                    +
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   Options: target link-layer address (type 2) ...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-
/// </code>
/// R: the sender is a router; S: an answer to a solicitation; O: override cached entries.
/// </summary>
public readonly ref struct NeighbourAdvertisement
{
    public const byte FlagRouter = 0x80;
    public const byte FlagSolicited = 0x40;
    public const byte FlagOverride = 0x20;

    private readonly Span<byte> _message;
    private readonly int _linkLayerOption;

    private NeighbourAdvertisement(Span<byte> message, int linkLayerOption)
    {
        _message = message;
        _linkLayerOption = linkLayerOption;
    }

    /// <summary>Validates an ICMPv6 message (type first) as a neighbour advertisement (RFC 4861 §7.1.2 message checks).</summary>
    public static bool TryCreate(Span<byte> icmp, out NeighbourAdvertisement advertisement)
    {
        advertisement = default;
        if (!NdpOptions.TryValidate(icmp, Icmpv6Message.TypeNeighbourAdvertisement, NdpOptions.TargetLinkLayerAddress, out int option))
        {
            return false;
        }

        advertisement = new NeighbourAdvertisement(icmp, option);
        return true;
    }

    public Span<byte> Bytes => _message;

    /// <summary>The R, S and O bits, in the top of the byte (<see cref="FlagRouter"/>...).</summary>
    public byte Flags => (byte)(_message[4] & 0xE0);

    public bool IsRouter => (_message[4] & FlagRouter) != 0;

    public bool IsSolicited => (_message[4] & FlagSolicited) != 0;

    public bool IsOverride => (_message[4] & FlagOverride) != 0;

    /// <summary>The address being advertised.</summary>
    public Ipv6Address Target => Ipv6Address.ReadFrom(_message[8..]);

    public bool HasTargetLinkLayerAddress => _linkLayerOption >= 0;

    /// <summary>The MAC from an Ethernet-sized (length 1) target link-layer address option; empty when absent.</summary>
    public Span<byte> TargetLinkLayerAddress => _linkLayerOption >= 0 ? _message.Slice(_linkLayerOption + 2, 6) : [];

    /// <summary>RFC 4861 §7.1.2 on the carrying packet: an advertisement to a multicast group is never solicited.</summary>
    public bool IsValidTo(Ipv6Address destination) => !destination.IsMulticast || !IsSolicited;
}

/// <summary>
/// Neighbour discovery options (RFC 4861 §4.6), each a multiple of 8 bytes:
/// <code>
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     Type      |    Length     |     Link-Layer Address ...    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// On Ethernet (RFC 2464 §6) a link-layer address option has length 1: type, 1, six MAC bytes.
/// </summary>
internal static class NdpOptions
{
    public const byte SourceLinkLayerAddress = 1;
    public const byte TargetLinkLayerAddress = 2;

    /// <summary>The fixed part of an NS or NA: 8-byte ICMPv6 header and the 16-byte target.</summary>
    public const int FixedLength = 24;

    /// <summary>
    /// Checks type, code, length, target and options; <paramref name="option"/> is the offset of
    /// the first Ethernet-sized option of type <paramref name="wanted"/>, or -1.
    /// </summary>
    public static bool TryValidate(ReadOnlySpan<byte> icmp, byte type, byte wanted, out int option)
    {
        option = -1;
        if (icmp.Length < FixedLength || icmp[0] != type || icmp[1] != 0 || icmp[8] == 0xFF)
        {
            return false;
        }

        // Each step consumes at least 8 bytes, so the loop ends within Length / 8 steps.
        int offset = FixedLength;
        while (icmp.Length - offset >= 2)
        {
            int length = icmp[offset + 1] * 8;
            if (length == 0 || length > icmp.Length - offset)
            {
                return false;
            }

            if (option < 0 && icmp[offset] == wanted && length == 8)
            {
                option = offset;
            }

            offset += length;
        }

        // A trailing single byte cannot be an option.
        return offset == icmp.Length;
    }
}
