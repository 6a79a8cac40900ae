using Lvs.Core.Packets;

namespace Lvs.Core.Forwarding;

/// <summary>
/// NAT (masquerading, ipvsadm -m): on the way in the destination address and port become the
/// real server's; on the way out the source becomes the VIP and virtual port again.
/// </summary>
/// <remarks>
/// Checksums are patched incrementally (RFC 1624): the IPv4 header checksum for the address,
/// and the TCP/UDP checksum for the address (pseudo-header) and the port. A partial transport
/// checksum (<see cref="PacketMeta.ChecksumPartial"/>) holds only the pseudo-header sum: it
/// follows the address change as a plain sum and ignores the port, which the kernel covers
/// when it completes the checksum. A UDP checksum of zero ("none") stays zero. TTL is handled
/// by the caller, as for every method.
/// </remarks>
public static class NatRewriter
{
    /// <summary>Client → real server: destination becomes <paramref name="address"/>:<paramref name="port"/>.</summary>
    public static void RewriteDestination(Ipv4Packet ip, uint address, ushort port, bool partial)
    {
        uint oldAddress = ip.Destination;
        ip.Destination = address;
        ip.HeaderChecksum = Checksum.Update(ip.HeaderChecksum, oldAddress, address);
        Span<byte> l4 = ip.Payload;
        if (ip.Protocol == Ipv4Packet.ProtocolTcp)
        {
            var tcp = new L4Ports(l4);
            ushort oldPort = tcp.DestinationPort;
            tcp.DestinationPort = port;
            tcp.Checksum = Patch(tcp.Checksum, oldAddress, address, oldPort, port, partial, udp: false);
        }
        else
        {
            var udp = new L4Ports(l4);
            ushort oldPort = udp.DestinationPort;
            udp.DestinationPort = port;
            udp.UdpChecksum = Patch(udp.UdpChecksum, oldAddress, address, oldPort, port, partial, udp: true);
        }
    }

    /// <summary>Real server → client: source becomes <paramref name="address"/>:<paramref name="port"/>.</summary>
    public static void RewriteSource(Ipv4Packet ip, uint address, ushort port, bool partial)
    {
        uint oldAddress = ip.Source;
        ip.Source = address;
        ip.HeaderChecksum = Checksum.Update(ip.HeaderChecksum, oldAddress, address);
        Span<byte> l4 = ip.Payload;
        var view = new L4Ports(l4);
        ushort oldPort = view.SourcePort;
        view.SourcePort = port;
        if (ip.Protocol == Ipv4Packet.ProtocolTcp)
        {
            view.Checksum = Patch(view.Checksum, oldAddress, address, oldPort, port, partial, udp: false);
        }
        else
        {
            view.UdpChecksum = Patch(view.UdpChecksum, oldAddress, address, oldPort, port, partial, udp: true);
        }
    }

    private static ushort Patch(ushort sum, uint oldAddress, uint newAddress, ushort oldPort, ushort newPort, bool partial, bool udp)
    {
        if (partial)
        {
            return Checksum.UpdatePartial(sum, oldAddress, newAddress);
        }

        if (udp && sum == 0)
        {
            return 0;
        }

        sum = Checksum.Update(sum, oldAddress, newAddress);
        sum = Checksum.Update(sum, oldPort, newPort);
        return udp && sum == 0 ? (ushort)0xFFFF : sum;
    }

    /// <summary>Ports and checksums of an already validated TCP or UDP header.</summary>
    private readonly ref struct L4Ports(Span<byte> l4)
    {
        private readonly Span<byte> _l4 = l4;

        public ushort SourcePort
        {
            get => System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(_l4);
            set => System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(_l4, value);
        }

        public ushort DestinationPort
        {
            get => System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(_l4[2..]);
            set => System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(_l4[2..], value);
        }

        public ushort Checksum
        {
            get => System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(_l4[TcpSegment.ChecksumOffset..]);
            set => System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(_l4[TcpSegment.ChecksumOffset..], value);
        }

        public ushort UdpChecksum
        {
            get => System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(_l4[UdpDatagram.ChecksumOffset..]);
            set => System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(_l4[UdpDatagram.ChecksumOffset..], value);
        }
    }
}
