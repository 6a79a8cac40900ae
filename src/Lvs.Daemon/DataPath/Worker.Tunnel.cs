using System.Buffers.Binary;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO;

namespace Lvs.Daemon.DataPath;

/// <summary>TUN forwarding: encapsulation straight into the transmit queue, and the ICMP it may call for.</summary>
public sealed partial class Worker
{
    private const int DefaultMtu = 1500;
    private readonly byte[] _tunnelScratch = new byte[65536 + 128];
    private readonly byte[] _icmpFrame = new byte[EthernetFrame.HeaderLength + IcmpBuilder.MaxErrorLength];
    private ushort _outerIpId;

    private void SendTunnelled(Span<byte> frame, in FrameInfo info, bool partial, in Verdict verdict, long now)
    {
        if (!_mirror.Routing.TryResolve(verdict.NextHop.V4, out NextHop hop) || hop.Kind != NextHopKind.Unicast
            || (uint)hop.IfIndex >= (uint)_portByIfIndex.Length || _portByIfIndex[hop.IfIndex] is not { } port)
        {
            _director.Drops.Add(DropReason.NoRoute);
            return;
        }

        if (!_mirror.Neighbours.TryGet(hop.IfIndex, hop.NextHopAddress, out MacAddress mac))
        {
            // Real servers' next hops are resolved when added and again whenever the kernel drops one
            // (ResolveLostTargets); a miss here is rare and TCP retries. Not queued as NAT and DR frames are.
            SendArpRequest(port, hop, now);
            _director.Drops.Add(DropReason.NeighbourUnresolved);
            return;
        }

        Span<byte> inner = frame[EthernetFrame.HeaderLength..];
        inner = inner[..BinaryPrimitives.ReadUInt16BigEndian(inner[2..])];
        uint source = hop.PreferredSource != 0 ? hop.PreferredSource : PrimaryAddress(hop.IfIndex);
        int gsoSize = info.Vnet.IsGso ? info.Vnet.GsoSize : 0;
        var sink = new PortSink(port, mac);
        TunnelResult result = TunnelEncoder.Send(ref sink, inner, partial, gsoSize, verdict.Tunnel, source, verdict.NextHop.V4,
            hop.Mtu > 0 ? hop.Mtu : DefaultMtu, ref _outerIpId, _tunnelScratch);
        switch (result.Outcome)
        {
            case TunnelOutcome.FragmentationNeeded:
                _director.Drops.Add(DropReason.FragmentationNeeded);
                SendFragmentationNeeded(inner, (ushort)result.Mtu, now);
                break;
            case TunnelOutcome.Unsupported:
                _director.Drops.Add(DropReason.TunnelGsoUnsupported);
                break;
            case TunnelOutcome.NoBuffer:
                _director.Drops.Add(DropReason.TransmitFailed);
                break;
        }
    }

    /// <summary>Tells the client its packet does not fit the tunnel, from the VIP it sent to (as icmp_send does).</summary>
    private void SendFragmentationNeeded(ReadOnlySpan<byte> offending, ushort mtu, long now)
    {
        uint vip = BinaryPrimitives.ReadUInt32BigEndian(offending[16..]);
        uint client = BinaryPrimitives.ReadUInt32BigEndian(offending[12..]);
        int length = IcmpBuilder.FragmentationNeeded(_icmpFrame.AsSpan(EthernetFrame.HeaderLength), offending, mtu, vip);
        Span<byte> frame = _icmpFrame.AsSpan(0, EthernetFrame.HeaderLength + length);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EthernetFrame.TypeIPv4);
        Transmit(frame, default, client, now, queueIfUnresolved: true);
    }

    /// <summary>Builds frames directly in an interface's transmit queue, Ethernet header first.</summary>
    private readonly struct PortSink(Port port, MacAddress nextHopMac) : IFrameSink
    {
        public Span<byte> Reserve(int ipLength)
        {
            int length = EthernetFrame.HeaderLength + ipLength;
            Span<byte> slot = port.Io.Reserve(length);
            if (slot.IsEmpty && port.Io.Queued > 0)
            {
                port.Io.Flush();
                slot = port.Io.Reserve(length);
            }

            if (slot.IsEmpty)
            {
                return default;
            }

            nextHopMac.WriteTo(slot[..6]);
            port.Mac.WriteTo(slot.Slice(6, 6));
            BinaryPrimitives.WriteUInt16BigEndian(slot[12..], EthernetFrame.TypeIPv4);
            return slot[EthernetFrame.HeaderLength..];
        }

        public void Commit(int ipLength) => port.Io.Commit(EthernetFrame.HeaderLength + ipLength, default);
    }
}
