using System.Buffers.Binary;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Linux;
using Lvs.Linux.Interop;
using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO;

namespace Lvs.Daemon.DataPath;

/// <summary>The per-frame path: core verdict, next hop, Ethernet addresses, transmit queue.</summary>
public sealed partial class Worker
{
    private struct FrameHandler(Worker worker) : IFrameHandler
    {
        public long Now;

        public void OnFrame(Span<byte> frame, ref FrameInfo info) => worker.OnFrame(frame, ref info, Now);
    }

    private void OnFrame(Span<byte> frame, ref FrameInfo info, long now)
    {
        if (frame.Length >= EthernetFrame.HeaderLength
            && BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == EthernetFrame.TypeArp)
        {
            SnoopArp(frame, info.IfIndex);
            return;
        }

        if (frame.Length >= EthernetFrame.HeaderLength
            && BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == EthernetFrame.TypeIPv6)
        {
            SnoopNeighbourDiscovery(frame, info.IfIndex);
        }

        if (info.PacketType != PacketType.Host)
        {
            return;
        }

        if (info.Truncated)
        {
            _director.Drops.Add(DropReason.FrameTruncated);
            return;
        }

        var meta = new PacketMeta
        {
            IfIndex = info.IfIndex,
            ChecksumPartial = info.Vnet.NeedsChecksum || info.ChecksumNotReady,
        };
        Verdict verdict = _director.Process(frame, meta, now);
        if (verdict.Kind == VerdictKind.Forward)
        {
            // Keep the offload: NEEDS_CSUM and GSO go back to the kernel as they came.
            VirtioNetHeader vnet = info.Vnet;
            vnet.Flags &= VirtioNetFlags.NeedsChecksum;
            if (verdict.NextHop.IsV4)
            {
                Transmit(frame, vnet, verdict.NextHop.V4, now, queueIfUnresolved: true);
            }
            else
            {
                Transmit6(frame, vnet, verdict.NextHop.V6, now, queueIfUnresolved: true);
            }
        }
        else if (verdict.Kind == VerdictKind.Tunnel)
        {
            if (verdict.NextHop.IsV4 && BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == EthernetFrame.TypeIPv4)
            {
                SendTunnelled(frame, info, meta.ChecksumPartial, verdict, now);
            }
            else
            {
                SendTunnelled6(frame, info, meta.ChecksumPartial, verdict, now);
            }
        }
    }

    /// <summary>Routes, addresses and queues one rewritten frame. Returns false only when it must wait for ARP.</summary>
    private bool Transmit(Span<byte> frame, in VirtioNetHeader vnet, uint destination, long now, bool queueIfUnresolved)
    {
        if (!_mirror.Routing.TryResolve(destination, out NextHop hop) || hop.Kind != NextHopKind.Unicast
            || (uint)hop.IfIndex >= (uint)_portByIfIndex.Length || _portByIfIndex[hop.IfIndex] is not { } port)
        {
            _director.Drops.Add(DropReason.NoRoute);
            return true;
        }

        // DR keeps the VIP as the destination and only changes the MAC, so the real server must
        // be on this link: through a gateway the packet would be routed by its VIP, back to us.
        if (hop.NextHopAddress != destination
            && BinaryPrimitives.ReadUInt32BigEndian(frame[(EthernetFrame.HeaderLength + 16)..]) != destination)
        {
            _director.Drops.Add(DropReason.NotOnLink);
            return true;
        }

        if (!vnet.IsGso && hop.Mtu > 0 && frame.Length - EthernetFrame.HeaderLength > hop.Mtu)
        {
            // A client's packet with DF: tell it the MTU (from the VIP), as ip_vs does for every method.
            int icmp = _director.FragmentationNeeded(frame, hop.Mtu, _icmpFrame.AsSpan(EthernetFrame.HeaderLength), out uint client);
            if (icmp > 0)
            {
                _director.Drops.Add(DropReason.FragmentationNeeded);
                Span<byte> reply = _icmpFrame.AsSpan(0, EthernetFrame.HeaderLength + icmp);
                BinaryPrimitives.WriteUInt16BigEndian(reply[12..], EthernetFrame.TypeIPv4);
                return Transmit(reply, default, client, now, queueIfUnresolved);
            }

            _director.Drops.Add(DropReason.TooBig);
            return true;
        }

        if (!_mirror.Neighbours.TryGet(hop.IfIndex, hop.NextHopAddress, out MacAddress mac))
        {
            SendArpRequest(port, hop, now);
            if (queueIfUnresolved && !_pending.TryAdd(frame, vnet, hop.IfIndex, destination, now))
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

    private void ServicePending(long now)
    {
        var release = new PendingRelease(this, now);
        _pending.Service(now, ref release);
        FlushAll();
    }

    /// <summary>Sends a waiting frame once its next hop's MAC is known; counts those that waited too long.</summary>
    private readonly struct PendingRelease(Worker worker, long now) : PendingFrames.IPendingRelease
    {
        public bool TryRelease(Span<byte> frame, in PendingFrames.Entry entry)
        {
            if (entry.NextHop.IsV6)
            {
                return worker.TryRelease6(frame, entry, now);
            }

            uint nextHop = entry.NextHop.V4;
            if (!worker._mirror.Neighbours.TryGet(entry.IfIndex, worker.ResolveNextHop(nextHop), out _))
            {
                return false;
            }

            worker.Transmit(frame, entry.Vnet, nextHop, now, queueIfUnresolved: false);
            return true;
        }

        public void Expire(in PendingFrames.Entry entry) => worker._director.Drops.Add(DropReason.NeighbourUnresolved);
    }

    private uint ResolveNextHop(uint destination) =>
        _mirror.Routing.TryResolve(destination, out NextHop hop) ? hop.NextHopAddress : destination;

    private void Resolve(InetAddress address, long now)
    {
        if (address.IsV6)
        {
            Resolve6(address.V6, now);
        }
        else
        {
            Resolve(address.V4, now);
        }
    }

    private void Resolve(uint address, long now)
    {
        if (_mirror.Routing.TryResolve(address, out NextHop hop) && hop.Kind == NextHopKind.Unicast
            && (uint)hop.IfIndex < (uint)_portByIfIndex.Length && _portByIfIndex[hop.IfIndex] is { } port
            && !_mirror.Neighbours.TryGet(hop.IfIndex, hop.NextHopAddress, out _))
        {
            SendArpRequest(port, hop, now);
            FlushAll();
        }
    }

    private void SendArpRequest(Port port, in NextHop hop, long now)
    {
        if (!_mirror.Neighbours.TryBeginRequest(hop.IfIndex, hop.NextHopAddress, now))
        {
            return;
        }

        // With XDP, ARP replies go to the kernel, not to us: let the kernel resolve (rtnetlink tells us).
        try
        {
            if (port.Io.RequestNeighbourFromKernel(hop.NextHopAddress))
            {
                return;
            }
        }
        catch (LinuxException e)
        {
            Log.Warn("kernel neighbour resolution failed", ("interface", port.Name), ("error", e.Message));
            return;
        }

        uint source = hop.PreferredSource != 0 ? hop.PreferredSource : PrimaryAddress(hop.IfIndex);
        int length = NeighbourCache.BuildArpRequest(_arpFrame, port.Mac, source, hop.NextHopAddress);
        port.Io.TryEnqueue(_arpFrame.AsSpan(0, length), default);
    }

    private uint PrimaryAddress(int ifIndex)
    {
        foreach (AddressInfo a in _mirror.Addresses)
        {
            if (a.IfIndex == ifIndex && a.Family == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                return RoutingView.ToUInt32(a.Address);
            }
        }

        return 0;
    }

    /// <summary>Learns MACs from ARP the kernel exchanges anyway (and the replies to our own requests).</summary>
    private void SnoopArp(Span<byte> frame, int ifIndex)
    {
        if (ArpPacket.TryCreate(frame[EthernetFrame.HeaderLength..], out ArpPacket arp) && arp.SenderProtocolAddress != 0)
        {
            _mirror.Neighbours.Learn(ifIndex, arp.SenderProtocolAddress, arp.SenderHardwareAddress);
        }
    }
}
