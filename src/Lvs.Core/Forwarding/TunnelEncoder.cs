using System.Buffers.Binary;
using Lvs.Core.Packets;
using Lvs.Core.Services;

namespace Lvs.Core.Forwarding;

/// <summary>What happened to a packet handed to <see cref="TunnelEncoder"/>.</summary>
public enum TunnelOutcome : byte
{
    /// <summary>Encapsulated and queued (possibly as several segments or fragments).</summary>
    Sent,

    /// <summary>Too big for the path with DF set: answer ICMP fragmentation-needed with <see cref="TunnelResult.Mtu"/>.</summary>
    FragmentationNeeded,

    /// <summary>The sink had no room for a packet this size.</summary>
    NoBuffer,

    /// <summary>A GSO kind the encoder cannot split (UDP GSO).</summary>
    Unsupported,
}

public readonly record struct TunnelResult(TunnelOutcome Outcome, int Mtu = 0, int Packets = 0);

/// <summary>
/// TUN forwarding (ipvsadm -i): wraps the client's IPv4 packet in an outer IPv4 header from the
/// director to the real server, as ip_vs_tunnel_xmit does:
/// <code>
/// ipip: | outer IPv4, proto 4  | inner packet |
/// gue:  | outer IPv4, proto 17 | UDP → port | GUE v0 (4) [priv flags (4) | REMCSUM (4)] | inner packet |
/// gre:  | outer IPv4, proto 47 | GRE (4) [checksum (2) | reserved (2)] | inner packet |
/// </code>
/// The outer header copies the inner TOS, TTL and DF. A packet that no longer fits the path MTU
/// with DF set is refused with the MTU the client must use (the caller answers ICMP
/// fragmentation-needed, so the client's path MTU discovery converges); without DF the outer
/// packet is fragmented. GSO super-frames are cut into TCP segments that fit, and partial
/// checksums are completed here — except with GUE remote checksum offload, which leaves the inner
/// checksum to the receiver and says where it is in a REMCSUM option (draft-herbert-remotecsumoffload).
/// </summary>
public static class TunnelEncoder
{
    private const int OuterIpLength = 20;
    private const ushort GueFlagPrivate = 0x0001;
    private const uint GuePrivateFlagRemoteChecksum = 0x8000_0000;

    /// <summary>Bytes added in front of the inner packet.</summary>
    public static int Overhead(in TunnelSpec spec, bool remoteChecksumOption = false) => OuterIpLength + spec.Type switch
    {
        TunnelType.Gue => 8 + 4 + (remoteChecksumOption ? 8 : 0),
        TunnelType.Gre => 4 + (spec.Checksum == TunnelChecksum.NoChecksum ? 0 : 4),
        _ => 0,
    };

    /// <param name="inner">The inner IPv4 packet, validated and already TTL-decremented.</param>
    /// <param name="checksumPartial">The inner transport checksum holds only the pseudo-header sum.</param>
    /// <param name="gsoSize">Segment payload size of a TCP GSO super-frame, or 0.</param>
    /// <param name="mtu">The MTU of the path to the real server.</param>
    /// <param name="ipId">The director's outer IP identification counter.</param>
    /// <param name="scratch">A 64 KiB + overhead buffer, used only to fragment.</param>
    public static TunnelResult Send<TSink>(ref TSink sink, Span<byte> inner, bool checksumPartial, int gsoSize, in TunnelSpec spec,
        uint outerSource, uint outerDestination, int mtu, ref ushort ipId, Span<byte> scratch)
        where TSink : struct, IFrameSink
    {
        int ihl = (inner[0] & 0x0F) * 4;
        byte proto = inner[9];
        bool df = (inner[6] & 0x40) != 0;

        if (gsoSize > 0)
        {
            if (proto != Ipv4Packet.ProtocolTcp)
            {
                return new TunnelResult(TunnelOutcome.Unsupported);
            }

            int thl = (inner[ihl + 12] >> 4) * 4;
            if (inner.Length - ihl - thl > gsoSize)
            {
                return Segments(ref sink, inner, ihl, thl, gsoSize, spec, outerSource, outerDestination, mtu, df, ref ipId);
            }
        }

        bool remote = checksumPartial && spec.Type == TunnelType.Gue && spec.Checksum == TunnelChecksum.RemoteChecksum;
        if (checksumPartial && !remote)
        {
            CompleteChecksum(inner, ihl, proto);
        }

        int overhead = Overhead(spec, remote);
        int total = overhead + inner.Length;
        if (total > mtu)
        {
            if (df)
            {
                return new TunnelResult(TunnelOutcome.FragmentationNeeded, mtu - overhead);
            }

            Encapsulate(scratch[..total], inner, ihl, proto, spec, remote, outerSource, outerDestination, ipId++);
            return Fragment(ref sink, scratch[..total], mtu);
        }

        Span<byte> packet = sink.Reserve(total);
        if (packet.IsEmpty)
        {
            return new TunnelResult(TunnelOutcome.NoBuffer);
        }

        Encapsulate(packet, inner, ihl, proto, spec, remote, outerSource, outerDestination, df ? (ushort)0 : ipId++);
        sink.Commit(total);
        return new TunnelResult(TunnelOutcome.Sent, Packets: 1);
    }

    /// <summary>Writes outer headers and the inner packet into <paramref name="packet"/>.</summary>
    public static void Encapsulate(Span<byte> packet, ReadOnlySpan<byte> inner, int ihl, byte proto, in TunnelSpec spec, bool remote,
        uint source, uint destination, ushort id)
    {
        int overhead = packet.Length - inner.Length;
        inner.CopyTo(packet[overhead..]);
        byte outerProto = spec.Type switch
        {
            TunnelType.Gue => Ipv4Packet.ProtocolUdp,
            TunnelType.Gre => 47,
            _ => 4,
        };
        WriteOuterIp(packet, packet.Length, EncapsulateEcn(inner[1]), id, (inner[6] & 0x40) != 0, inner[8], outerProto, source, destination);

        Span<byte> tunnel = packet[OuterIpLength..];
        if (spec.Type == TunnelType.Gue)
        {
            int optLength = remote ? 8 : 0;
            BinaryPrimitives.WriteUInt16BigEndian(tunnel, FlowPort(inner, ihl));
            BinaryPrimitives.WriteUInt16BigEndian(tunnel[2..], spec.Port);
            BinaryPrimitives.WriteUInt16BigEndian(tunnel[4..], (ushort)tunnel.Length);
            BinaryPrimitives.WriteUInt16BigEndian(tunnel[6..], 0);
            Span<byte> gue = tunnel[8..];
            gue[0] = (byte)(optLength >> 2); // version 0, C 0, hlen in words
            gue[1] = 4;                      // proto_ctype: IPv4 inside
            BinaryPrimitives.WriteUInt16BigEndian(gue[2..], remote ? GueFlagPrivate : (ushort)0);
            if (remote)
            {
                ushort start = (ushort)ihl;
                ushort field = (ushort)(ihl + (proto == Ipv4Packet.ProtocolTcp ? TcpSegment.ChecksumOffset : UdpDatagram.ChecksumOffset));
                BinaryPrimitives.WriteUInt32BigEndian(gue[4..], GuePrivateFlagRemoteChecksum);
                BinaryPrimitives.WriteUInt16BigEndian(gue[8..], start);
                BinaryPrimitives.WriteUInt16BigEndian(gue[10..], field);
            }

            if (spec.Checksum != TunnelChecksum.NoChecksum)
            {
                ushort sum = Checksum.Transport(source, destination, Ipv4Packet.ProtocolUdp, tunnel);
                BinaryPrimitives.WriteUInt16BigEndian(tunnel[6..], sum == 0 ? (ushort)0xFFFF : sum);
            }
        }
        else if (spec.Type == TunnelType.Gre)
        {
            bool csum = spec.Checksum != TunnelChecksum.NoChecksum;
            BinaryPrimitives.WriteUInt16BigEndian(tunnel, csum ? (ushort)0x8000 : (ushort)0);
            BinaryPrimitives.WriteUInt16BigEndian(tunnel[2..], EthernetFrame.TypeIPv4);
            if (csum)
            {
                BinaryPrimitives.WriteUInt32BigEndian(tunnel[4..], 0);
                BinaryPrimitives.WriteUInt16BigEndian(tunnel[4..], Checksum.Compute(tunnel));
            }
        }
    }

    /// <summary>Completes a partial TCP/UDP checksum: the field holds the pseudo-header sum, so summing the segment finishes it.</summary>
    public static void CompleteChecksum(Span<byte> ip, int ihl, byte proto)
    {
        Span<byte> l4 = ip[ihl..];
        int offset = proto == Ipv4Packet.ProtocolTcp ? TcpSegment.ChecksumOffset : UdpDatagram.ChecksumOffset;
        if (l4.Length < offset + 2)
        {
            return;
        }

        ushort sum = Checksum.Compute(l4);
        if (proto == Ipv4Packet.ProtocolUdp && sum == 0)
        {
            sum = 0xFFFF;
        }

        BinaryPrimitives.WriteUInt16BigEndian(l4[offset..], sum);
    }

    private static TunnelResult Segments<TSink>(ref TSink sink, ReadOnlySpan<byte> inner, int ihl, int thl, int gsoSize, in TunnelSpec spec,
        uint source, uint destination, int mtu, bool df, ref ushort ipId)
        where TSink : struct, IFrameSink
    {
        int overhead = Overhead(spec);
        int headers = ihl + thl;
        int room = mtu - overhead - headers;
        if (room < gsoSize)
        {
            if (df)
            {
                return new TunnelResult(TunnelOutcome.FragmentationNeeded, mtu - overhead);
            }

            gsoSize = Math.Max(room, 8);
        }

        ReadOnlySpan<byte> payload = inner[headers..];
        uint seq = BinaryPrimitives.ReadUInt32BigEndian(inner[(ihl + 4)..]);
        ushort innerId = BinaryPrimitives.ReadUInt16BigEndian(inner[4..]);
        byte flags = inner[ihl + 13];
        uint innerSource = BinaryPrimitives.ReadUInt32BigEndian(inner[12..]);
        uint innerDestination = BinaryPrimitives.ReadUInt32BigEndian(inner[16..]);
        int sent = 0;
        for (int offset = 0; offset < payload.Length; offset += gsoSize)
        {
            int chunk = Math.Min(gsoSize, payload.Length - offset);
            bool first = offset == 0, last = offset + chunk == payload.Length;
            int total = overhead + headers + chunk;
            Span<byte> packet = sink.Reserve(total);
            if (packet.IsEmpty)
            {
                return new TunnelResult(TunnelOutcome.NoBuffer, Packets: sent);
            }

            Span<byte> seg = packet[overhead..];
            inner[..headers].CopyTo(seg);
            payload.Slice(offset, chunk).CopyTo(seg[headers..]);
            BinaryPrimitives.WriteUInt16BigEndian(seg[2..], (ushort)(headers + chunk));
            BinaryPrimitives.WriteUInt16BigEndian(seg[4..], (ushort)(innerId + sent));
            BinaryPrimitives.WriteUInt16BigEndian(seg[10..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(seg[10..], Checksum.Compute(seg[..ihl]));
            Span<byte> tcp = seg[ihl..];
            BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seq + (uint)offset);
            byte segFlags = flags;
            if (!last)
            {
                segFlags &= unchecked((byte)~(TcpSegment.Fin | TcpSegment.Psh));
            }

            if (!first)
            {
                segFlags &= 0x7F; // CWR only on the first segment
            }

            tcp[13] = segFlags;
            BinaryPrimitives.WriteUInt16BigEndian(tcp[TcpSegment.ChecksumOffset..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[TcpSegment.ChecksumOffset..],
                Checksum.Transport(innerSource, innerDestination, Ipv4Packet.ProtocolTcp, tcp));
            Encapsulate(packet, seg, ihl, Ipv4Packet.ProtocolTcp, spec, remote: false, source, destination, df ? (ushort)0 : ipId++);
            sink.Commit(total);
            sent++;
        }

        return new TunnelResult(TunnelOutcome.Sent, Packets: sent);
    }

    /// <summary>Splits an outer packet without DF into IPv4 fragments of at most <paramref name="mtu"/> bytes (RFC 791).</summary>
    public static TunnelResult Fragment<TSink>(ref TSink sink, ReadOnlySpan<byte> packet, int mtu)
        where TSink : struct, IFrameSink
    {
        int hl = (packet[0] & 0x0F) * 4;
        int step = (mtu - hl) & ~7;
        ReadOnlySpan<byte> data = packet[hl..];
        int sent = 0;
        for (int offset = 0; offset < data.Length; offset += step)
        {
            int chunk = Math.Min(step, data.Length - offset);
            bool more = offset + chunk < data.Length;
            Span<byte> frag = sink.Reserve(hl + chunk);
            if (frag.IsEmpty)
            {
                return new TunnelResult(TunnelOutcome.NoBuffer, Packets: sent);
            }

            packet[..hl].CopyTo(frag);
            data.Slice(offset, chunk).CopyTo(frag[hl..]);
            BinaryPrimitives.WriteUInt16BigEndian(frag[2..], (ushort)(hl + chunk));
            BinaryPrimitives.WriteUInt16BigEndian(frag[6..], (ushort)((more ? 0x2000 : 0) | (offset >> 3)));
            BinaryPrimitives.WriteUInt16BigEndian(frag[10..], 0);
            BinaryPrimitives.WriteUInt16BigEndian(frag[10..], Checksum.Compute(frag[..hl]));
            sink.Commit(hl + chunk);
            sent++;
        }

        return new TunnelResult(TunnelOutcome.Sent, Packets: sent);
    }

    private static void WriteOuterIp(Span<byte> ip, int total, byte tos, ushort id, bool df, byte ttl, byte proto, uint source, uint destination)
    {
        ip[0] = 0x45;
        ip[1] = tos;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)total);
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], id);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], df ? (ushort)0x4000 : (ushort)0);
        ip[8] = ttl;
        ip[9] = proto;
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], source);
        BinaryPrimitives.WriteUInt32BigEndian(ip[16..], destination);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum.Compute(ip[..OuterIpLength]));
    }

    /// <summary>
    /// The outer TOS (RFC 6040 normal mode, INET_ECN_encapsulate): the inner DSCP and ECN, except
    /// that a CE mark becomes ECT(0) outside, so congestion seen before the tunnel is not reported twice.
    /// </summary>
    private static byte EncapsulateEcn(byte tos) => (tos & 0x03) == 0x03 ? (byte)((tos & ~0x03) | 0x02) : tos;

    /// <summary>A UDP source port from the inner flow, so the path can spread flows (udp_flow_src_port).</summary>
    private static ushort FlowPort(ReadOnlySpan<byte> inner, int ihl)
    {
        uint h = BinaryPrimitives.ReadUInt32BigEndian(inner[12..]) * 0x9E3779B1u;
        h ^= BinaryPrimitives.ReadUInt32BigEndian(inner[16..]) * 0x85EBCA77u;
        if (inner.Length >= ihl + 4)
        {
            h ^= BinaryPrimitives.ReadUInt32BigEndian(inner[ihl..]) * 0xC2B2AE3Du;
        }

        h ^= h >> 15;
        return (ushort)(49152 + (h % 16384));
    }
}
