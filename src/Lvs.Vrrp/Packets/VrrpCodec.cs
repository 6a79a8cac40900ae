using System.Buffers.Binary;
using Lvs.Core.Packets;

namespace Lvs.Vrrp.Packets;

/// <summary>
/// VRRP advertisements on the wire. RFC 3768 §5.1 (v2) and RFC 5798 §5.1 (v3):
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Version| Type  | Virtual Rtr ID|   Priority    | Count IP Addrs|
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// v2: |   Auth Type   |   Adver Int   |          Checksum         |
/// v3: |(rsvd) |     Max Adver Int     |          Checksum         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 IPvX Address(es), Count of them               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// v2 only: |            Authentication Data (8 bytes)             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// v2's Adver Int is in seconds and its checksum covers the VRRP message only; v3's Max Adver
/// Int is 12 bits of centiseconds and its checksum also covers the IPv4 or IPv6 pseudo-header
/// (RFC 5798 §5.2.8). Sent to 224.0.0.18 / ff02::12 with TTL / hop limit 255.
/// </summary>
public static class VrrpCodec
{
    public const byte Protocol = 112;
    public const int HeaderLength = 8;
    public const int AuthDataLength = 8;
    public const byte TypeAdvertisement = 1;
    public const int Ipv4HeaderLength = 20;
    public const byte RequiredTtl = 255;

    /// <summary>The largest message: 255 IPv6 addresses after the header.</summary>
    public const int MaxMessageLength = HeaderLength + (255 * 16) + AuthDataLength;

    /// <summary>224.0.0.18, VRRP's IPv4 multicast group.</summary>
    public static ReadOnlySpan<byte> Ipv4Group => [224, 0, 0, 18];

    /// <summary>ff02::12, VRRP's IPv6 multicast group.</summary>
    public static ReadOnlySpan<byte> Ipv6Group => [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12];

    /// <summary>
    /// Parses an IPv4 packet as a raw IPPROTO_VRRP socket reads it (IP header included), so the
    /// TTL checked is the one on the wire.
    /// </summary>
    public static VrrpDropReason TryParseIpv4(ReadOnlySpan<byte> packet, out VrrpAdvert advert)
    {
        advert = default;
        if (packet.Length < Ipv4HeaderLength)
        {
            return VrrpDropReason.TooShort;
        }

        int ihl = (packet[0] & 0x0F) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        if (packet[0] >> 4 != 4 || ihl < Ipv4HeaderLength || packet.Length < ihl || packet[9] != Protocol)
        {
            return VrrpDropReason.BadIpHeader;
        }

        // Raw sockets hand over the datagram as received; a total length beyond it is a lie.
        if (total < ihl || total > packet.Length)
        {
            return VrrpDropReason.LengthMismatch;
        }

        return TryParse(packet[ihl..total], packet.Slice(12, 4), packet.Slice(16, 4), packet[8], out advert);
    }

    /// <summary>
    /// Checks one VRRP message: length, TTL/hop limit 255, version 2 or 3 (v2 only over IPv4),
    /// type, the length the address count implies, and the checksum. <paramref name="source"/>
    /// and <paramref name="destination"/> are 4 or 16 bytes and give the family.
    /// </summary>
    public static VrrpDropReason TryParse(ReadOnlySpan<byte> message, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, int ttl, out VrrpAdvert advert)
    {
        advert = default;
        int addressLength = source.Length;
        if (addressLength is not (4 or 16) || destination.Length != addressLength)
        {
            throw new ArgumentException("addresses must both be IPv4 (4 bytes) or IPv6 (16 bytes)", nameof(source));
        }

        if (message.Length < HeaderLength)
        {
            return VrrpDropReason.TooShort;
        }

        if (ttl != RequiredTtl)
        {
            return VrrpDropReason.WrongTtl;
        }

        int version = message[0] >> 4;
        if (version is not (2 or 3) || (version == 2 && addressLength != 4))
        {
            return VrrpDropReason.WrongVersion;
        }

        if ((message[0] & 0x0F) != TypeAdvertisement)
        {
            return VrrpDropReason.WrongType;
        }

        int expected = HeaderLength + (message[3] * addressLength) + (version == 2 ? AuthDataLength : 0);
        if (message.Length != expected)
        {
            return VrrpDropReason.LengthMismatch;
        }

        ulong sum = version == 2 ? 0 : PseudoHeader(source, destination, message.Length);
        if (Checksum.Fold(Checksum.Add(message, sum)) != 0xFFFF)
        {
            return VrrpDropReason.BadChecksum;
        }

        advert = new VrrpAdvert(message, source, addressLength);
        return VrrpDropReason.None;
    }

    /// <summary>
    /// Writes a VRRP message with its checksum into <paramref name="destination"/> and returns its
    /// length. <paramref name="addresses"/> holds the virtual addresses back to back, each as long
    /// as <paramref name="source"/>; v2 writes <paramref name="authType"/> and 8 bytes of
    /// <paramref name="authData"/> (zero-padded), v3 ignores them.
    /// </summary>
    public static int Write(
        Span<byte> destination,
        VrrpVersion version,
        byte vrid,
        byte priority,
        int intervalCentiseconds,
        ReadOnlySpan<byte> addresses,
        byte authType,
        ReadOnlySpan<byte> authData,
        ReadOnlySpan<byte> source,
        ReadOnlySpan<byte> target)
    {
        int addressLength = source.Length;
        if (addressLength is not (4 or 16) || target.Length != addressLength || addresses.Length % addressLength != 0
            || addresses.Length / addressLength > 255)
        {
            throw new ArgumentException("addresses must be whole IPv4 or IPv6 addresses of the source's family, at most 255");
        }

        if (version == VrrpVersion.V2 && addressLength != 4)
        {
            throw new ArgumentException("VRRPv2 carries IPv4 only", nameof(version));
        }

        int count = addresses.Length / addressLength;
        int length = HeaderLength + addresses.Length + (version == VrrpVersion.V2 ? AuthDataLength : 0);
        Span<byte> m = destination[..length];
        m[0] = (byte)(((int)version << 4) | TypeAdvertisement);
        m[1] = vrid;
        m[2] = priority;
        m[3] = (byte)count;
        if (version == VrrpVersion.V2)
        {
            m[4] = authType;
            m[5] = (byte)Math.Clamp(intervalCentiseconds / 100, 1, 255);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(m[4..], (ushort)Math.Clamp(intervalCentiseconds, 1, 0x0FFF));
        }

        m[6] = 0;
        m[7] = 0;
        addresses.CopyTo(m[HeaderLength..]);
        if (version == VrrpVersion.V2)
        {
            Span<byte> auth = m.Slice(HeaderLength + addresses.Length, AuthDataLength);
            auth.Clear();
            authData[..Math.Min(authData.Length, AuthDataLength)].CopyTo(auth);
        }

        ulong sum = version == VrrpVersion.V2 ? 0 : PseudoHeader(source, target, length);
        BinaryPrimitives.WriteUInt16BigEndian(m[6..], Checksum.Compute(m, sum));
        return length;
    }

    /// <summary>
    /// Writes an IPv4 header (TTL 255, protocol 112, DF clear, id 0 and header checksum left for
    /// the kernel of an IP_HDRINCL socket, which fills both) and the message after it.
    /// </summary>
    public static int WriteIpv4(
        Span<byte> destination,
        VrrpVersion version,
        byte vrid,
        byte priority,
        int intervalCentiseconds,
        ReadOnlySpan<byte> addresses,
        byte authType,
        ReadOnlySpan<byte> authData,
        ReadOnlySpan<byte> source,
        ReadOnlySpan<byte> target)
    {
        int length = Write(destination[Ipv4HeaderLength..], version, vrid, priority, intervalCentiseconds, addresses, authType, authData, source, target);
        Span<byte> ip = destination[..Ipv4HeaderLength];
        ip.Clear();
        ip[0] = 0x45;
        ip[1] = 0xC0; // DSCP CS6 (network control), as keepalived sends
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(Ipv4HeaderLength + length));
        ip[8] = RequiredTtl;
        ip[9] = Protocol;
        source.CopyTo(ip[12..]);
        target.CopyTo(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum.Compute(ip));
        return Ipv4HeaderLength + length;
    }

    /// <summary>The IPv4 (RFC 768 style) or IPv6 (RFC 8200 §8.1) pseudo-header sum for protocol 112.</summary>
    private static ulong PseudoHeader(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, int length)
    {
        Span<byte> tail = stackalloc byte[8];
        ulong sum = Checksum.Add(source, Checksum.Add(destination));
        if (source.Length == 4)
        {
            // zero, protocol, 16-bit length
            tail[0] = 0;
            tail[1] = Protocol;
            BinaryPrimitives.WriteUInt16BigEndian(tail[2..], (ushort)length);
            return Checksum.Add(tail[..4], sum);
        }

        // 32-bit length, three zero bytes, next header
        BinaryPrimitives.WriteUInt32BigEndian(tail, (uint)length);
        tail[4] = 0;
        tail[5] = 0;
        tail[6] = 0;
        tail[7] = Protocol;
        return Checksum.Add(tail, sum);
    }
}
