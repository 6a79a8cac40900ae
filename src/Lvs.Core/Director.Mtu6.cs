using System.Buffers.Binary;
using Lvs.Core.Connections;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;

namespace Lvs.Core;

/// <summary>
/// Path MTU for IPv6 NAT and DR: routers never fragment IPv6, so a client packet that does not
/// fit the link to the real server is answered with ICMPv6 Packet Too Big from the VIP (as
/// ip_vs does with icmpv6_send), quoting the packet as the client sent it.
/// </summary>
public sealed partial class Director
{
    /// <summary>
    /// Writes an ICMPv6 Packet Too Big (IPv6 header first) for a frame this director forwarded
    /// towards a real server (NAT inbound or DR), quoting the client's packet with the VIP and
    /// hop limit it had. Returns the IPv6 length written, or 0 when the frame is not such a
    /// packet; <paramref name="client"/> is where to send it.
    /// </summary>
    public int PacketTooBig(ReadOnlySpan<byte> forwardedFrame, int mtu, Span<byte> output, out InetAddress client)
    {
        client = default;
        if (forwardedFrame.Length < EthernetFrame.HeaderLength + Ipv6Packet.HeaderLength + 8
            || BinaryPrimitives.ReadUInt16BigEndian(forwardedFrame[12..]) != EthernetFrame.TypeIPv6)
        {
            return 0;
        }

        ReadOnlySpan<byte> ip = forwardedFrame[EthernetFrame.HeaderLength..];
        if (Ipv6ExtensionHeaders.Walk(ip, out Ipv6UpperLayer upper) != Ipv6WalkResult.Ok || upper.IsFragment
            || upper.Protocol is not (Ipv6Packet.NextHeaderTcp or Ipv6Packet.NextHeaderUdp) || ip.Length < upper.Offset + 4)
        {
            return 0;
        }

        var protocol = (IpProtocol)upper.Protocol;
        var source = InetAddress.FromV6(Ipv6Address.ReadFrom(ip[8..]));
        var destination = InetAddress.FromV6(Ipv6Address.ReadFrom(ip[24..]));
        ushort sport = BinaryPrimitives.ReadUInt16BigEndian(ip[upper.Offset..]);
        ushort dport = BinaryPrimitives.ReadUInt16BigEndian(ip[(upper.Offset + 2)..]);

        // NAT inbound: the rewritten packet is the reverse of the "out" tuple; DR: the "in" tuple.
        if (!Connections.TryFind(protocol, destination, dport, source, sport, out int index, out PacketDirection direction)
            || direction != PacketDirection.Output)
        {
            if (!Connections.TryFind(protocol, source, sport, destination, dport, out index, out direction)
                || direction == PacketDirection.Output)
            {
                return 0;
            }
        }

        ref Connection c = ref Connections[index];
        if (c.Method == ForwardMethod.Tunnel || c.VirtualAddress.IsV4)
        {
            return 0;
        }

        // The quote as the client sent it: VIP:vport, hop limit before ours. Its transport checksum
        // is left as forwarded, as ip_vs quotes after its own rewrite.
        Span<byte> quote = stackalloc byte[Math.Min(ip.Length, Icmpv6Builder.MaxErrorLength - Ipv6Packet.HeaderLength - Icmpv6Message.HeaderLength)];
        ip[..quote.Length].CopyTo(quote);
        c.VirtualAddress.V6.WriteTo(quote[24..]);
        if (quote.Length >= upper.Offset + 4)
        {
            BinaryPrimitives.WriteUInt16BigEndian(quote[(upper.Offset + 2)..], c.VirtualPort);
        }

        quote[7]++;
        client = c.ClientAddress;
        return Icmpv6Builder.PacketTooBig(output, quote, (uint)Math.Max(mtu, Ipv6Packet.MinimumMtu), c.VirtualAddress.V6);
    }
}
