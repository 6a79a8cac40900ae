using System.Buffers.Binary;
using Lvs.Core.Packets;

namespace Lvs.Agent.Decap;

/// <summary>
/// Generic UDP Encapsulation (draft-ietf-intarea-gue; include/net/gue.h), as ipvs_gue_encap
/// builds it after an outer IPv4 + UDP header (destination port = the real server's --tun-port):
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Ver|C|  Hlen   | Proto/ctype   |        Standard flags       |P|
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |R|          Private flags (if P)                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   Remcsum start (if R)        |   Remcsum offset (if R)       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// Hlen counts the 32-bit words after the first. Proto/ctype is 4 for an IPv4 inner packet.
/// With --tun-remcsum and a CHECKSUM_PARTIAL packet, ip_vs sets P and the private REMCSUM flag
/// (bit 31) and writes start = where the inner transport checksum's sum begins and
/// offset = where the checksum field is (start + csum_offset), both from the start of the inner
/// packet; the field holds only the pseudo-header sum. The receiver completes it
/// (fou.c gue_remcsum / skb_remcsum_process): sum from start to the end, complement, store at
/// offset. Variant 1 (the first two bits 01) is a bare IPv4 packet with no GUE header.
/// </summary>
public static partial class Decapsulator
{
    public const byte ProtocolUdp = 17;

    private const ushort GueFlagPrivate = 0x0001;
    private const uint GuePrivateFlagRemcsum = 0x8000_0000;

    /// <summary>
    /// A UDP payload (what a UDP socket bound to the GUE port reads): the GUE header, its
    /// options, then the inner IPv4 packet. A REMCSUM option is applied to the inner packet in place.
    /// </summary>
    public static DecapResult Gue(Span<byte> payload, ReadOnlySpan<uint> vips, out int innerOffset, out int innerLength)
    {
        innerOffset = 0;
        innerLength = 0;
        if (payload.Length < 4)
        {
            return payload.Length > 0 && payload[0] >> 6 == 1 ? DecapResult.InnerTruncated : DecapResult.GueTruncated;
        }

        int version = payload[0] >> 6;
        if (version == 1)
        {
            // Variant 1: the payload is the IP packet itself (its version nibble is 4 or 6).
            return Inner(payload, vips, out innerLength);
        }

        if (version != 0)
        {
            return DecapResult.GueBadVersion;
        }

        if ((payload[0] & 0x20) != 0)
        {
            return DecapResult.GueControl;
        }

        int optionsLength = (payload[0] & 0x1F) * 4;
        int headerLength = 4 + optionsLength;
        if (payload.Length < headerLength)
        {
            return DecapResult.GueTruncated;
        }

        if (payload[1] != ProtocolIpip)
        {
            return DecapResult.GueBadProtocol;
        }

        ushort flags = BinaryPrimitives.ReadUInt16BigEndian(payload[2..]);
        if ((flags & ~GueFlagPrivate) != 0)
        {
            return DecapResult.GueBadFlags;
        }

        int remcsumAt = -1;
        if ((flags & GueFlagPrivate) != 0)
        {
            if (optionsLength < 4)
            {
                return DecapResult.GueBadHeaderLength;
            }

            uint privateFlags = BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
            if ((privateFlags & ~GuePrivateFlagRemcsum) != 0)
            {
                return DecapResult.GueBadFlags;
            }

            if ((privateFlags & GuePrivateFlagRemcsum) != 0)
            {
                if (optionsLength < 8)
                {
                    return DecapResult.GueBadHeaderLength;
                }

                remcsumAt = 8;
            }
        }

        Span<byte> inner = payload[headerLength..];
        DecapResult result = Inner(inner, vips, out innerLength);
        if (result != DecapResult.Deliver)
        {
            innerLength = 0;
            return result;
        }

        if (remcsumAt >= 0 && !CompleteRemoteChecksum(inner[..innerLength], payload[remcsumAt..]))
        {
            innerLength = 0;
            return DecapResult.GueBadRemcsum;
        }

        innerOffset = headerLength;
        return DecapResult.Deliver;
    }

    /// <summary>
    /// An outer IPv4 packet (protocol 17) carrying UDP and GUE, as a raw capture sees it: checks
    /// the UDP length and, when non-zero, the UDP checksum, then decapsulates as <see cref="Gue"/>.
    /// A UDP socket never needs this (the kernel drops bad checksums before it), but a capture does.
    /// </summary>
    public static DecapResult GueInIpv4(Span<byte> outer, ReadOnlySpan<uint> vips, out int innerOffset, out int innerLength)
    {
        innerOffset = 0;
        innerLength = 0;
        DecapResult result = Outer(outer, ProtocolUdp, out int payload, out int end);
        if (result != DecapResult.Deliver)
        {
            return result;
        }

        Span<byte> udp = outer[payload..end];
        if (udp.Length < 8)
        {
            return DecapResult.UdpMalformed;
        }

        int udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
        if (udpLength < 8 || udpLength > udp.Length)
        {
            return DecapResult.UdpMalformed;
        }

        udp = udp[..udpLength];
        if (BinaryPrimitives.ReadUInt16BigEndian(udp[6..]) != 0)
        {
            uint source = BinaryPrimitives.ReadUInt32BigEndian(outer[12..]);
            uint destination = BinaryPrimitives.ReadUInt32BigEndian(outer[16..]);
            ulong sum = Checksum.Add(udp, Checksum.PseudoHeader(source, destination, ProtocolUdp, udpLength));
            if (Checksum.Fold(sum) != 0xFFFF)
            {
                return DecapResult.UdpBadChecksum;
            }
        }

        result = Gue(udp[8..], vips, out int offset, out innerLength);
        innerOffset = result == DecapResult.Deliver ? payload + 8 + offset : 0;
        return result;
    }

    /// <summary>
    /// Completes a partial transport checksum: the ones' complement sum from start to the end of
    /// the inner packet (the field already holds the pseudo-header sum), complemented, at offset.
    /// False when the option points outside the packet or at an odd byte (a sum that started on an
    /// odd byte would be byte-swapped).
    /// </summary>
    private static bool CompleteRemoteChecksum(Span<byte> inner, ReadOnlySpan<byte> option)
    {
        int start = BinaryPrimitives.ReadUInt16BigEndian(option);
        int offset = BinaryPrimitives.ReadUInt16BigEndian(option[2..]);
        if ((start & 1) != 0 || (offset & 1) != 0 || start >= inner.Length || offset + 2 > inner.Length
            || offset < start || start < (inner[0] & 0x0F) * 4)
        {
            return false;
        }

        ushort sum = (ushort)~Checksum.Fold(Checksum.Add(inner[start..]));
        BinaryPrimitives.WriteUInt16BigEndian(inner[offset..], sum);
        return true;
    }
}
