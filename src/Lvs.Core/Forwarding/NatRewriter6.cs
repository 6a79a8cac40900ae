using System.Buffers.Binary;
using Lvs.Core.Packets;

namespace Lvs.Core.Forwarding;

/// <summary>
/// NAT over IPv6 (ipvsadm -m on an IPv6 service): the destination address and port become the
/// real server's on the way in, the source becomes the VIP and virtual port on the way out.
/// </summary>
/// <remarks>
/// IPv6 has no header checksum; the TCP/UDP checksum covers the addresses through the
/// pseudo-header and is patched incrementally (RFC 1624) for the 128-bit address and the port.
/// A partial checksum (<see cref="PacketMeta.ChecksumPartial"/>) holds only the pseudo-header
/// sum and follows the address change alone. UDP checksum zero is not allowed over IPv6
/// (RFC 8200 §8.1): the director drops such datagrams before this point, and a patch that
/// comes out zero is sent as 0xFFFF. Hop limit is the caller's, as for every method.
/// </remarks>
public static class NatRewriter6
{
    /// <summary>Client → real server: destination becomes <paramref name="address"/>:<paramref name="port"/>.</summary>
    /// <param name="l4">The TCP or UDP header, already validated.</param>
    public static void RewriteDestination(Ipv6Packet ip, Span<byte> l4, bool tcp, Ipv6Address address, ushort port, bool partial)
    {
        Ipv6Address oldAddress = ip.Destination;
        ip.Destination = address;
        ushort oldPort = BinaryPrimitives.ReadUInt16BigEndian(l4[2..]);
        BinaryPrimitives.WriteUInt16BigEndian(l4[2..], port);
        Patch(l4, tcp, oldAddress, address, oldPort, port, partial);
    }

    /// <summary>Real server → client: source becomes <paramref name="address"/>:<paramref name="port"/>.</summary>
    public static void RewriteSource(Ipv6Packet ip, Span<byte> l4, bool tcp, Ipv6Address address, ushort port, bool partial)
    {
        Ipv6Address oldAddress = ip.Source;
        ip.Source = address;
        ushort oldPort = BinaryPrimitives.ReadUInt16BigEndian(l4);
        BinaryPrimitives.WriteUInt16BigEndian(l4, port);
        Patch(l4, tcp, oldAddress, address, oldPort, port, partial);
    }

    private static void Patch(Span<byte> l4, bool tcp, Ipv6Address oldAddress, Ipv6Address newAddress, ushort oldPort, ushort newPort, bool partial)
    {
        Span<byte> field = l4[(tcp ? TcpSegment.ChecksumOffset : UdpDatagram.ChecksumOffset)..];
        ushort sum = BinaryPrimitives.ReadUInt16BigEndian(field);
        if (partial)
        {
            sum = Checksum6.UpdatePartial(sum, oldAddress, newAddress);
        }
        else
        {
            sum = Checksum6.Update(sum, oldAddress, newAddress);
            sum = Checksum.Update(sum, oldPort, newPort);
            if (!tcp && sum == 0)
            {
                sum = 0xFFFF;
            }
        }

        BinaryPrimitives.WriteUInt16BigEndian(field, sum);
    }
}
