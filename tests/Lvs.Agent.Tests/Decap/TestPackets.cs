using System.Buffers.Binary;
using System.Net;
using Lvs.Core.Packets;

namespace Lvs.Agent.Tests.Decap;

/// <summary>Hand-built packets, as ip_vs_xmit.c lays them out, for the decapsulation tests.</summary>
internal static class TestPackets
{
    public static readonly uint Client = Addr("198.51.100.10");
    public static readonly uint Vip = Addr("192.0.2.10");
    public static readonly uint OtherVip = Addr("192.0.2.99");
    public static readonly uint Director = Addr("203.0.113.1");
    public static readonly uint RealServer = Addr("203.0.113.2");

    public static uint Addr(string s) => BinaryPrimitives.ReadUInt32BigEndian(IPAddress.Parse(s).GetAddressBytes());

    /// <summary>An IPv4 header with a valid checksum followed by <paramref name="payload"/>.</summary>
    public static byte[] Ipv4(uint source, uint destination, byte protocol, ReadOnlySpan<byte> payload, ushort id = 1)
    {
        var packet = new byte[20 + payload.Length];
        packet[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)packet.Length);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), id);
        packet[6] = 0x40; // DF
        packet[8] = 64;
        packet[9] = protocol;
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(12), source);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(16), destination);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), Checksum.Compute(packet.AsSpan(0, 20)));
        payload.CopyTo(packet.AsSpan(20));
        return packet;
    }

    /// <summary>A UDP datagram (header + payload) with a full checksum, or only the pseudo-header sum when <paramref name="partial"/>.</summary>
    public static byte[] Udp(uint source, uint destination, ushort sourcePort, ushort destinationPort, ReadOnlySpan<byte> payload, bool partial = false, bool checksum = true)
    {
        var udp = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(udp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(2), destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(4), (ushort)udp.Length);
        payload.CopyTo(udp.AsSpan(8));
        if (checksum)
        {
            ulong pseudo = Checksum.PseudoHeader(source, destination, 17, udp.Length);
            ushort value = partial ? Checksum.Fold(pseudo) : Checksum.Compute(udp, pseudo);
            BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(6), value == 0 && !partial ? (ushort)0xFFFF : value);
        }

        return udp;
    }

    /// <summary>The inner packet: a UDP datagram from the client to VIP:9999.</summary>
    public static byte[] Inner(uint destination, string text = "hello", bool partial = false) =>
        Ipv4(Client, destination, 17, Udp(Client, destination, 40000, 9999, System.Text.Encoding.ASCII.GetBytes(text), partial));

    public static byte[] Ipip(byte[] inner) => Ipv4(Director, RealServer, 4, inner);

    /// <summary>GRE around <paramref name="inner"/>; C adds a checksum, K a key, S a sequence number.</summary>
    public static byte[] GreHeaderAndPayload(byte[] inner, bool c = false, bool k = false, bool s = false, ushort protocol = 0x0800)
    {
        int length = 4 + (c ? 4 : 0) + (k ? 4 : 0) + (s ? 4 : 0);
        var gre = new byte[length + inner.Length];
        gre[0] = (byte)((c ? 0x80 : 0) | (k ? 0x20 : 0) | (s ? 0x10 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(gre.AsSpan(2), protocol);
        int at = 4 + (c ? 4 : 0);
        if (k)
        {
            BinaryPrimitives.WriteUInt32BigEndian(gre.AsSpan(at), 0xDEADBEEF);
            at += 4;
        }

        if (s)
        {
            BinaryPrimitives.WriteUInt32BigEndian(gre.AsSpan(at), 7);
        }

        inner.CopyTo(gre.AsSpan(length));
        if (c)
        {
            BinaryPrimitives.WriteUInt16BigEndian(gre.AsSpan(4), Checksum.Compute(gre));
        }

        return gre;
    }

    public static byte[] Gre(byte[] inner, bool c = false, bool k = false, bool s = false) =>
        Ipv4(Director, RealServer, 47, GreHeaderAndPayload(inner, c, k, s));

    /// <summary>
    /// A GUE header (variant 0, proto 4) and <paramref name="inner"/>; with
    /// <paramref name="remcsum"/> the private flags word and the REMCSUM option (start, offset)
    /// as ipvs_gue_encap writes them.
    /// </summary>
    public static byte[] Gue(byte[] inner, (ushort Start, ushort Offset)? remcsum = null)
    {
        int options = remcsum is null ? 0 : 8;
        var gue = new byte[4 + options + inner.Length];
        gue[0] = (byte)(options / 4);
        gue[1] = 4;
        if (remcsum is { } r)
        {
            BinaryPrimitives.WriteUInt16BigEndian(gue.AsSpan(2), 0x0001);
            BinaryPrimitives.WriteUInt32BigEndian(gue.AsSpan(4), 0x8000_0000);
            BinaryPrimitives.WriteUInt16BigEndian(gue.AsSpan(8), r.Start);
            BinaryPrimitives.WriteUInt16BigEndian(gue.AsSpan(10), r.Offset);
        }

        inner.CopyTo(gue.AsSpan(4 + options));
        return gue;
    }

    /// <summary>Outer IPv4 + UDP (to <paramref name="port"/>) + <paramref name="gue"/>.</summary>
    public static byte[] GueInIpv4(byte[] gue, ushort port = 6080, bool checksum = false) =>
        Ipv4(Director, RealServer, 17, Udp(Director, RealServer, 51234, port, gue, checksum: checksum));
}
