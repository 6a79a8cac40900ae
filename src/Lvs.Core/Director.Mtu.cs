using System.Buffers.Binary;
using Lvs.Core.Connections;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;

namespace Lvs.Core;

/// <summary>
/// Path MTU for NAT and DR: a client packet the director forwarded turned out too big for the
/// link to the real server, with DF set. ip_vs checks the MTU before it rewrites and answers ICMP
/// fragmentation-needed from the VIP; here the packet was already rewritten when the I/O layer
/// found the MTU, so the client's original header is rebuilt for the quote.
/// </summary>
public sealed partial class Director
{
    /// <summary>
    /// Writes an ICMP fragmentation-needed for a frame this director forwarded towards a real
    /// server (NAT inbound or DR), quoting the packet as the client sent it, from the VIP it
    /// sent to. Returns the IP length written (0 when the frame is not such a packet or has no
    /// DF); <paramref name="client"/> is where to send it.
    /// </summary>
    public int FragmentationNeeded(ReadOnlySpan<byte> forwardedFrame, int mtu, Span<byte> output, out uint client)
    {
        client = 0;
        if (forwardedFrame.Length < EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength + 8)
        {
            return 0;
        }

        ReadOnlySpan<byte> ip = forwardedFrame[EthernetFrame.HeaderLength..];
        int ihl = (ip[0] & 0x0F) * 4;
        if ((ip[6] & 0x40) == 0 || ip.Length < ihl + 8 || ip[9] is not (Ipv4Packet.ProtocolTcp or Ipv4Packet.ProtocolUdp))
        {
            return 0;
        }

        var protocol = (IpProtocol)ip[9];
        uint source = BinaryPrimitives.ReadUInt32BigEndian(ip[12..]);
        uint destination = BinaryPrimitives.ReadUInt32BigEndian(ip[16..]);
        ushort sport = BinaryPrimitives.ReadUInt16BigEndian(ip[ihl..]);
        ushort dport = BinaryPrimitives.ReadUInt16BigEndian(ip[(ihl + 2)..]);

        // NAT inbound: the rewritten packet (client -> RIP:rport) is the reverse of the "out" tuple.
        // DR: the packet still goes to the VIP, the "in" tuple.
        int index;
        if (!Connections.TryFind(protocol, destination, dport, source, sport, out index, out PacketDirection direction)
            || direction != PacketDirection.Output)
        {
            if (!Connections.TryFind(protocol, source, sport, destination, dport, out index, out direction)
                || direction == PacketDirection.Output)
            {
                return 0;
            }
        }

        ref Connection c = ref Connections[index];
        if (c.Method == ForwardMethod.Tunnel)
        {
            return 0; // the tunnel path checks its own MTU before it encapsulates
        }

        // The quote: the header and 8 bytes as the client sent them (destination VIP:vport, TTL before ours).
        Span<byte> quote = stackalloc byte[Math.Min(ip.Length, IcmpBuilder.MaxErrorLength - 28)];
        ip[..quote.Length].CopyTo(quote);
        BinaryPrimitives.WriteUInt32BigEndian(quote[16..], c.VirtualAddress.V4);
        BinaryPrimitives.WriteUInt16BigEndian(quote[(ihl + 2)..], c.VirtualPort);
        quote[8]++;
        BinaryPrimitives.WriteUInt16BigEndian(quote[10..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(quote[10..], Checksum.Compute(quote[..ihl]));

        client = c.ClientAddress.V4;
        return IcmpBuilder.FragmentationNeeded(output, quote, (ushort)Math.Clamp(mtu, 68, ushort.MaxValue), c.VirtualAddress.V4);
    }
}
