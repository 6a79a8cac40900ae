using System.Buffers.Binary;
using System.Net;

namespace Lvs.Core.Tests.TestSupport;

/// <summary>
/// Builds IPv6 packets (header first, no Ethernet unless asked) with checksums from a naive
/// reference: the pseudo-header of RFC 8200 §8.1 laid out as bytes and summed word by word by
/// <see cref="PacketBuilder.FoldedSum"/>. Nothing here uses <c>Lvs.Core.Packets</c>, so tests
/// check the core against something independent.
/// </summary>
public static class Ipv6PacketBuilder
{
    public const int HeaderLength = 40;

    /// <summary>The 16 bytes of an IPv6 address, parsed by <see cref="IPAddress"/>.</summary>
    public static byte[] Address(string text) => IPAddress.Parse(text).GetAddressBytes();

    /// <summary>An IPv6 packet: fixed header then <paramref name="payload"/> (extension headers included).</summary>
    public static byte[] Packet(byte[] src, byte[] dst, byte nextHeader, ReadOnlySpan<byte> payload, byte hopLimit = 64,
        byte trafficClass = 0, uint flowLabel = 0)
    {
        byte[] packet = new byte[HeaderLength + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(packet, (6u << 28) | ((uint)trafficClass << 20) | (flowLabel & 0xFFFFF));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), (ushort)payload.Length);
        packet[6] = nextHeader;
        packet[7] = hopLimit;
        src.CopyTo(packet, 8);
        dst.CopyTo(packet, 24);
        payload.CopyTo(packet.AsSpan(HeaderLength));
        return packet;
    }

    /// <summary>A hop-by-hop, routing or destination options header of (<paramref name="extLen"/> + 1) * 8 bytes, padded with PadN.</summary>
    public static byte[] Extension(byte next, int extLen = 0)
    {
        byte[] header = new byte[(extLen + 1) * 8];
        header[0] = next;
        header[1] = (byte)extLen;
        header[2] = 1; // PadN covering the rest, so options headers are well formed
        header[3] = (byte)(header.Length - 4);
        return header;
    }

    /// <summary>A fragment header (RFC 8200 §4.5); <paramref name="offset"/> in bytes, a multiple of 8.</summary>
    public static byte[] Fragment(byte next, int offset, bool more, uint id)
    {
        byte[] header = new byte[8];
        header[0] = next;
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(2), (ushort)(offset | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), id);
        return header;
    }

    /// <summary>A TCP segment (20-byte header) in IPv6 after <paramref name="extensions"/>, with a full or partial checksum.</summary>
    public static byte[] Tcp(string src, ushort sport, string dst, ushort dport, byte flags, byte[]? payload = null,
        ChecksumMode mode = ChecksumMode.Full, byte[]? extensions = null, byte firstNextHeader = 6, byte hopLimit = 64)
    {
        payload ??= [];
        byte[] l4 = new byte[20 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(l4, sport);
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt32BigEndian(l4.AsSpan(4), 0x01020304);
        l4[12] = 5 << 4;
        l4[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(14), 0xFAF0);
        payload.CopyTo(l4, 20);
        FillChecksum(Address(src), Address(dst), 6, l4, 16, mode);
        return Packet(Address(src), Address(dst), extensions is null ? (byte)6 : firstNextHeader, [.. extensions ?? [], .. l4], hopLimit);
    }

    /// <summary>A UDP datagram in IPv6 with a full or partial checksum (a computed zero sent as 0xFFFF).</summary>
    public static byte[] Udp(string src, ushort sport, string dst, ushort dport, byte[] payload, ChecksumMode mode = ChecksumMode.Full)
    {
        byte[] l4 = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(l4, sport);
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(4), (ushort)l4.Length);
        payload.CopyTo(l4, 8);
        FillChecksum(Address(src), Address(dst), 17, l4, 6, mode);
        return Packet(Address(src), Address(dst), 17, l4);
    }

    /// <summary>An ICMPv6 message in IPv6: type, code, second word, body, checksum filled.</summary>
    public static byte[] Icmpv6(byte[] src, byte[] dst, byte type, byte code, uint rest, ReadOnlySpan<byte> body, byte hopLimit = 64)
    {
        byte[] icmp = new byte[8 + body.Length];
        icmp[0] = type;
        icmp[1] = code;
        BinaryPrimitives.WriteUInt32BigEndian(icmp.AsSpan(4), rest);
        body.CopyTo(icmp.AsSpan(8));
        FillChecksum(src, dst, 58, icmp, 2, ChecksumMode.Full);
        return Packet(src, dst, 58, icmp, hopLimit);
    }

    /// <summary>Writes the checksum of <paramref name="segment"/> at <paramref name="checksumOffset"/>.</summary>
    public static void FillChecksum(byte[] src, byte[] dst, byte nextHeader, byte[] segment, int checksumOffset, ChecksumMode mode)
    {
        segment[checksumOffset] = 0;
        segment[checksumOffset + 1] = 0;
        ushort value = mode switch
        {
            ChecksumMode.Partial => PacketBuilder.FoldedSum(PseudoHeader(src, dst, nextHeader, segment.Length)),
            ChecksumMode.Zero => 0,
            _ => ReferenceChecksum(src, dst, nextHeader, segment),
        };
        if (mode == ChecksumMode.Full && nextHeader == 17 && value == 0)
        {
            value = 0xFFFF;
        }

        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(checksumOffset), value);
    }

    /// <summary>The 40-byte pseudo-header of RFC 8200 §8.1 as bytes.</summary>
    public static byte[] PseudoHeader(byte[] src, byte[] dst, byte nextHeader, int length)
    {
        byte[] pseudo = new byte[40];
        src.CopyTo(pseudo, 0);
        dst.CopyTo(pseudo, 16);
        BinaryPrimitives.WriteUInt32BigEndian(pseudo.AsSpan(32), (uint)length);
        pseudo[39] = nextHeader;
        return pseudo;
    }

    /// <summary>The complete checksum of a segment whose checksum field holds zero.</summary>
    public static ushort ReferenceChecksum(byte[] src, byte[] dst, byte nextHeader, ReadOnlySpan<byte> segment) =>
        (ushort)~PacketBuilder.FoldedSum([.. PseudoHeader(src, dst, nextHeader, segment.Length), .. segment]);

    /// <summary>True when a segment with its checksum in place verifies.</summary>
    public static bool ReferenceVerify(byte[] src, byte[] dst, byte nextHeader, ReadOnlySpan<byte> segment) =>
        PacketBuilder.FoldedSum([.. PseudoHeader(src, dst, nextHeader, segment.Length), .. segment]) == 0xFFFF;

    /// <summary>Wraps an IPv6 packet in Ethernet (type 0x86dd).</summary>
    public static byte[] Ethernet(byte[] dstMac, byte[] srcMac, byte[] ipv6)
    {
        byte[] frame = new byte[14 + ipv6.Length];
        dstMac.CopyTo(frame, 0);
        srcMac.CopyTo(frame, 6);
        frame[12] = 0x86;
        frame[13] = 0xDD;
        ipv6.CopyTo(frame, 14);
        return frame;
    }
}

/// <summary>
/// Frames captured with <c>tcpdump -xx</c> on a veth pair between two throw-away namespaces
/// (2001:db8:c::2 at 02:00:00:00:00:0a, 2001:db8:c::1 at 02:00:00:00:00:0b, tx checksum offload
/// off on the sender so TCP/UDP checksums are complete), kernel 6.18. Every checksum here was
/// computed by Linux, not by us.
/// </summary>
public static class CapturedIpv6Frames
{
    /// <summary>Address resolution: 2001:db8:c::2 asks for 2001:db8:c::1 (source link-layer option).</summary>
    public const string NeighbourSolicitation =
        "3333ff00000102000000000a86dd6000000000203aff20010db8000c00000000000000000002ff0200000000000000000001ff000001"
        + "87001c070000000020010db8000c00000000000000000001010102000000000a";

    /// <summary>Duplicate address detection of fe80::ff:fe00:b: from ::, no link-layer option, a nonce option (type 14, RFC 7527).</summary>
    public const string DadSolicitation =
        "3333ff00000b02000000000b86dd6000000000203aff00000000000000000000000000000000ff0200000000000000000001ff00000b"
        + "8700a1a900000000fe80000000000000000000fffe00000b0e01f3a2c94f106c";

    /// <summary>The answer to <see cref="NeighbourSolicitation"/>: solicited + override, target link-layer option.</summary>
    public const string NeighbourAdvertisement =
        "02000000000a02000000000b86dd6000000000203aff20010db8000c0000000000000000000120010db8000c00000000000000000002"
        + "88008a456000000020010db8000c00000000000000000001020102000000000b";

    /// <summary>Unsolicited NA (ndisc_notify=1) of fe80::ff:fe00:a to ff02::1: override only.</summary>
    public const string UnsolicitedAdvertisement =
        "33330000000102000000000a86dd6000000000203afffe80000000000000000000fffe00000aff020000000000000000000000000001"
        + "8800598020000000fe80000000000000000000fffe00000a020102000000000a";

    /// <summary>ICMPv6 echo request id 0x1234 seq 1, payload "LVS-echo-v6", flow label 0xf12d2.</summary>
    public const string EchoRequest =
        "02000000000b02000000000a86dd600f12d200133a4020010db8000c0000000000000000000220010db8000c00000000000000000001"
        + "80004123123400014c56532d6563686f2d7636";

    /// <summary>UDP 40000 -> 53, payload "LVS-udp-v6", checksum 0x0c7c.</summary>
    public const string Udp =
        "02000000000b02000000000a86dd60082e080012114020010db8000c0000000000000000000220010db8000c00000000000000000001"
        + "9c40003500120c7c4c56532d7564702d7636";

    /// <summary>TCP SYN 40001 -> 80 with MSS, SACK, timestamps, window scale; checksum 0xb9a7.</summary>
    public const string TcpSyn =
        "02000000000b02000000000a86dd6004d2710028064020010db8000c0000000000000000000220010db8000c00000000000000000001"
        + "9c4100509a297bbc00000000a002fd20b9a70000020405a00402080a836affd9000000000103030a";

    public static byte[] Frame(string hex) => Convert.FromHexString(hex);
}
