using System.Buffers.Binary;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Linux;
using Lvs.Linux.Interop;
using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO;

namespace Lvs.Daemon.DataPath;

/// <summary>
/// IPv6 transmit: next hop from the IPv6 routes, MAC from the IPv6 neighbour cache, neighbour
/// solicitation (and the pending queue) when it is missing, ICMPv6 Packet Too Big for client
/// packets that do not fit, and the tunnels with an IPv6 side.
/// </summary>
public sealed partial class Worker
{
    private readonly byte[] _ndFrame = new byte[Ndp.FrameLength];
    private readonly byte[] _icmp6Frame = new byte[EthernetFrame.HeaderLength + Icmpv6Builder.MaxErrorLength];

    private static Ip6 ToIp6(Ipv6Address a) => new(a.High, a.Low);

    private static Ipv6Address FromIp6(in Ip6 a) => new(a.High, a.Low);

    /// <summary>Routes, addresses and queues one IPv6 frame. Returns false only when it must wait for the neighbour.</summary>
    private bool Transmit6(Span<byte> frame, in VirtioNetHeader vnet, Ipv6Address destination, long now, bool queueIfUnresolved)
    {
        if (!_mirror.Routing.TryResolve6(ToIp6(destination), out NextHop6 hop)
            || (uint)hop.IfIndex >= (uint)_portByIfIndex.Length || _portByIfIndex[hop.IfIndex] is not { } port)
        {
            _director.Drops.Add(DropReason.NoRoute);
            return true;
        }

        // DR keeps the VIP as the destination: the real server must be on this link (see Transmit).
        if (FromIp6(hop.NextHopAddress) != destination
            && Ipv6Address.ReadFrom(frame[(EthernetFrame.HeaderLength + 24)..]) != destination)
        {
            _director.Drops.Add(DropReason.NotOnLink);
            return true;
        }

        if (!vnet.IsGso && hop.Mtu > 0 && frame.Length - EthernetFrame.HeaderLength > hop.Mtu)
        {
            int icmp = _director.PacketTooBig(frame, hop.Mtu, _icmp6Frame.AsSpan(EthernetFrame.HeaderLength), out InetAddress client);
            if (icmp > 0)
            {
                _director.Drops.Add(DropReason.PacketTooBig);
                Span<byte> reply = _icmp6Frame.AsSpan(0, EthernetFrame.HeaderLength + icmp);
                BinaryPrimitives.WriteUInt16BigEndian(reply[12..], EthernetFrame.TypeIPv6);
                return Transmit6(reply, default, client.V6, now, queueIfUnresolved);
            }

            _director.Drops.Add(DropReason.TooBig);
            return true;
        }

        if (!_mirror.Neighbours.TryGet6(hop.IfIndex, hop.NextHopAddress, out MacAddress mac))
        {
            SendSolicitation(port, hop, now);
            if (queueIfUnresolved && !_pending.TryAdd(frame, vnet, hop.IfIndex, InetAddress.FromV6(destination), now))
            {
                _director.Drops.Add(DropReason.NeighbourUnresolved);
            }

            return !queueIfUnresolved;
        }

        mac.WriteTo(frame[..6]);
        port.Mac.WriteTo(frame.Slice(6, 6));
        if (!port.Io.TryEnqueue(frame, vnet))
        {
            port.Io.Flush();
            if (!port.Io.TryEnqueue(frame, vnet))
            {
                _director.Drops.Add(DropReason.TransmitFailed);
            }
        }

        return true;
    }

    /// <summary>A frame waiting for an IPv6 neighbour: sent once its MAC is known.</summary>
    private bool TryRelease6(Span<byte> frame, in PendingFrames.Entry entry, long now)
    {
        Ip6 destination = ToIp6(entry.NextHop.V6);
        Ip6 nextHop = _mirror.Routing.TryResolve6(destination, out NextHop6 hop) ? hop.NextHopAddress : destination;
        if (!_mirror.Neighbours.TryGet6(entry.IfIndex, nextHop, out _))
        {
            return false;
        }

        Transmit6(frame, entry.Vnet, entry.NextHop.V6, now, queueIfUnresolved: false);
        return true;
    }

    private void Resolve6(Ipv6Address address, long now)
    {
        if (_mirror.Routing.TryResolve6(ToIp6(address), out NextHop6 hop)
            && (uint)hop.IfIndex < (uint)_portByIfIndex.Length && _portByIfIndex[hop.IfIndex] is { } port
            && !_mirror.Neighbours.TryGet6(hop.IfIndex, hop.NextHopAddress, out _))
        {
            SendSolicitation(port, hop, now);
            FlushAll();
        }
    }

    /// <summary>Neighbour solicitation to the solicited-node group (ndisc_send_ns), at most one a second per neighbour.</summary>
    private void SendSolicitation(Port port, in NextHop6 hop, long now)
    {
        if (hop.PreferredSource.IsUnspecified || !_mirror.Neighbours.TryBeginSolicit6(hop.IfIndex, hop.NextHopAddress, now))
        {
            return;
        }

        // With XDP, the advertisement answering our own solicitation would go to the kernel, which
        // drops an advertisement it has no entry for (XDP cannot hand a frame to both). So the
        // kernel solicits instead, its entry takes the answer, and rtnetlink tells us.
        try
        {
            if (port.Io.RequestNeighbourFromKernel6(hop.NextHopAddress))
            {
                return;
            }
        }
        catch (LinuxException e)
        {
            Log.Warn("kernel neighbour resolution failed", ("interface", port.Name), ("error", e.Message));
            return;
        }

        Span<byte> srcMac = stackalloc byte[6];
        port.Mac.WriteTo(srcMac);
        int length = Ndp.WriteSolicitation(_ndFrame, srcMac, FromIp6(hop.PreferredSource), FromIp6(hop.NextHopAddress));
        port.Io.TryEnqueue(_ndFrame.AsSpan(0, length), default);
    }

    /// <summary>
    /// Learns MACs from the neighbour advertisements (answers to our solicitations, which the
    /// kernel ignores) and from the source link-layer option of solicitations, as ndisc does.
    /// </summary>
    private void SnoopNeighbourDiscovery(Span<byte> frame, int ifIndex)
    {
        // Only plain ICMPv6 (no extension headers): NDP messages carry none.
        if (frame.Length < EthernetFrame.HeaderLength + Ipv6Packet.HeaderLength + 24
            || frame[EthernetFrame.HeaderLength + 6] != Ipv6Packet.NextHeaderIcmpv6
            || frame[EthernetFrame.HeaderLength + Ipv6Packet.HeaderLength] is not (Icmpv6Message.TypeNeighbourAdvertisement or Icmpv6Message.TypeNeighbourSolicitation)
            || Ipv6Packet.TryCreate(frame[EthernetFrame.HeaderLength..], out Ipv6Packet ip) != Ipv6ParseResult.Ok
            || !Ndp.TryGetVerifiedMessage(ip, out Span<byte> icmp))
        {
            return;
        }

        if (NeighbourAdvertisement.TryCreate(icmp, out NeighbourAdvertisement na))
        {
            if (na.TargetLinkLayerAddress.Length == 6)
            {
                _mirror.Neighbours.Learn6(ifIndex, ToIp6(na.Target), na.TargetLinkLayerAddress);
            }
        }
        else if (NeighbourSolicitation.TryCreate(icmp, out NeighbourSolicitation ns) && ns.SourceLinkLayerAddress.Length == 6
                 && !ip.Source.IsUnspecified)
        {
            _mirror.Neighbours.Learn6(ifIndex, ToIp6(ip.Source), ns.SourceLinkLayerAddress);
        }
    }

    /// <summary>TUN with an IPv6 side: ip6ip6, IPv6 in IPv4, IPv4 in IPv6 (<see cref="TunnelEncoder6"/>).</summary>
    private void SendTunnelled6(Span<byte> frame, in FrameInfo info, bool partial, in Verdict verdict, long now)
    {
        if (verdict.Tunnel.Type != TunnelType.IpIp)
        {
            _director.Drops.Add(DropReason.TunnelUnsupported);
            return;
        }

        Span<byte> inner = frame[EthernetFrame.HeaderLength..];
        bool innerV6 = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == EthernetFrame.TypeIPv6;
        inner = inner[..(innerV6 ? Ipv6Packet.HeaderLength + BinaryPrimitives.ReadUInt16BigEndian(inner[4..]) : BinaryPrimitives.ReadUInt16BigEndian(inner[2..]))];

        InetAddress server = verdict.NextHop;
        int ifIndex, mtu;
        InetAddress source;
        MacAddress mac;
        Port? port;
        if (server.IsV4)
        {
            if (!_mirror.Routing.TryResolve(server.V4, out NextHop hop) || hop.Kind != NextHopKind.Unicast
                || (uint)hop.IfIndex >= (uint)_portByIfIndex.Length || (port = _portByIfIndex[hop.IfIndex]) is null)
            {
                _director.Drops.Add(DropReason.NoRoute);
                return;
            }

            if (!_mirror.Neighbours.TryGet(hop.IfIndex, hop.NextHopAddress, out mac))
            {
                SendArpRequest(port, hop, now);
                _director.Drops.Add(DropReason.NeighbourUnresolved);
                return;
            }

            (ifIndex, mtu) = (hop.IfIndex, hop.Mtu);
            source = InetAddress.FromV4(hop.PreferredSource != 0 ? hop.PreferredSource : PrimaryAddress(hop.IfIndex));
        }
        else
        {
            if (!_mirror.Routing.TryResolve6(ToIp6(server.V6), out NextHop6 hop)
                || (uint)hop.IfIndex >= (uint)_portByIfIndex.Length || (port = _portByIfIndex[hop.IfIndex]) is null)
            {
                _director.Drops.Add(DropReason.NoRoute);
                return;
            }

            if (!_mirror.Neighbours.TryGet6(hop.IfIndex, hop.NextHopAddress, out mac))
            {
                SendSolicitation(port, hop, now);
                _director.Drops.Add(DropReason.NeighbourUnresolved);
                return;
            }

            (ifIndex, mtu) = (hop.IfIndex, hop.Mtu);
            source = InetAddress.FromV6(FromIp6(hop.PreferredSource));
        }

        _ = ifIndex;
        int pathMtu = mtu > 0 ? mtu : DefaultMtu;
        if (info.Vnet.IsGso && info.Vnet.GsoSize > 0)
        {
            SendSegmented6(inner, innerV6, info.Vnet.GsoSize, port, mac, source, server, pathMtu, now);
            return;
        }

        if (inner.Length + TunnelEncoder6.Overhead(server) > pathMtu)
        {
            TunnelTooBig(inner, innerV6, TunnelEncoder6.InnerMtu(pathMtu, server, innerV6), now);
            return;
        }

        if (partial && !TunnelEncoder6.CompleteChecksum(inner))
        {
            _director.Drops.Add(DropReason.TunnelUnsupported);
            return;
        }

        EmitTunnelled6(inner, port, mac, source, server);
    }

    /// <summary>
    /// A TCP GSO super-packet into an IPv6-side tunnel: the kernel cannot segment what it never
    /// sees, so each segment is cut here (full checksums) and wrapped on its own.
    /// </summary>
    private void SendSegmented6(ReadOnlySpan<byte> inner, bool innerV6, int gsoSize, Port port, MacAddress mac,
        InetAddress source, InetAddress server, int pathMtu, long now)
    {
        int headers = TcpSegmenter.HeaderLength(inner, innerV6);
        if (headers < 0)
        {
            _director.Drops.Add(DropReason.TunnelGsoUnsupported);
            return;
        }

        if (headers + gsoSize + TunnelEncoder6.Overhead(server) > pathMtu)
        {
            TunnelTooBig(inner, innerV6, TunnelEncoder6.InnerMtu(pathMtu, server, innerV6), now);
            return;
        }

        Span<byte> segment = _tunnelScratch;
        int count = TcpSegmenter.Count(inner, headers, gsoSize);
        for (int i = 0; i < count; i++)
        {
            int length = TcpSegmenter.Write(inner, innerV6, headers, gsoSize, i, segment);
            if (length == 0)
            {
                _director.Drops.Add(DropReason.TunnelGsoUnsupported);
                return;
            }

            EmitTunnelled6(segment[..length], port, mac, source, server);
        }
    }

    private void EmitTunnelled6(ReadOnlySpan<byte> inner, Port port, MacAddress mac, InetAddress source, InetAddress server)
    {
        int length = EthernetFrame.HeaderLength + inner.Length + TunnelEncoder6.Overhead(server);
        Span<byte> slot = port.Io.Reserve(length);
        if (slot.IsEmpty && port.Io.Queued > 0)
        {
            port.Io.Flush();
            slot = port.Io.Reserve(length);
        }

        int written = slot.IsEmpty ? 0 : TunnelEncoder6.Write(slot[EthernetFrame.HeaderLength..], inner, source, server, ref _outerIpId);
        if (written == 0)
        {
            _director.Drops.Add(DropReason.TransmitFailed);
            return;
        }

        mac.WriteTo(slot[..6]);
        port.Mac.WriteTo(slot.Slice(6, 6));
        BinaryPrimitives.WriteUInt16BigEndian(slot[12..], server.IsV4 ? EthernetFrame.TypeIPv4 : EthernetFrame.TypeIPv6);
        port.Io.Commit(EthernetFrame.HeaderLength + written, default);
    }

    /// <summary>The client's packet does not fit the tunnel: Packet Too Big (IPv6) or fragmentation-needed (IPv4 with DF) from the VIP.</summary>
    private void TunnelTooBig(ReadOnlySpan<byte> inner, bool innerV6, int innerMtu, long now)
    {
        if (innerV6)
        {
            _director.Drops.Add(DropReason.PacketTooBig);
            var vip = Ipv6Address.ReadFrom(inner[24..]);
            var client = Ipv6Address.ReadFrom(inner[8..]);
            int length = Icmpv6Builder.PacketTooBig(_icmp6Frame.AsSpan(EthernetFrame.HeaderLength), inner, (uint)innerMtu, vip);
            Span<byte> reply = _icmp6Frame.AsSpan(0, EthernetFrame.HeaderLength + length);
            BinaryPrimitives.WriteUInt16BigEndian(reply[12..], EthernetFrame.TypeIPv6);
            Transmit6(reply, default, client, now, queueIfUnresolved: true);
        }
        else if ((inner[6] & 0x40) != 0)
        {
            _director.Drops.Add(DropReason.FragmentationNeeded);
            SendFragmentationNeeded(inner, (ushort)innerMtu, now);
        }
        else
        {
            // An IPv4 packet without DF would need the outer IPv6 packet fragmented at the source: not built.
            _director.Drops.Add(DropReason.TooBig);
        }
    }
}
