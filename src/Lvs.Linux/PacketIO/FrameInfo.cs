using System.Runtime.CompilerServices;
using static Lvs.Linux.Interop.Packet;

namespace Lvs.Linux.PacketIO;

/// <summary>sll_pkttype (include/uapi/linux/if_packet.h): who the frame was addressed to.</summary>
public enum PacketType : byte
{
    /// <summary>PACKET_HOST: to this host's MAC.</summary>
    Host = 0,

    /// <summary>PACKET_BROADCAST.</summary>
    Broadcast = 1,

    /// <summary>PACKET_MULTICAST.</summary>
    Multicast = 2,

    /// <summary>PACKET_OTHERHOST: to another host's MAC (promiscuous).</summary>
    OtherHost = 3,

    /// <summary>PACKET_OUTGOING: sent by this host (not seen with PACKET_IGNORE_OUTGOING).</summary>
    Outgoing = 4,
}

/// <summary>
/// What the ring says about one received frame, beside its bytes. Filled by
/// <see cref="PacketRing.Drain{THandler}"/> and handed by reference to the handler.
/// </summary>
public struct FrameInfo
{
    /// <summary>The interface the frame arrived on (sll_ifindex).</summary>
    public int IfIndex;

    /// <summary>sll_pkttype.</summary>
    public PacketType PacketType;

    /// <summary>The EtherType from sll_protocol, host order (e.g. 0x0800 for IPv4).</summary>
    public ushort Protocol;

    /// <summary>
    /// The frame's virtio_net_hdr: partial checksum and GSO information. Pass it to
    /// <see cref="PacketSender.TryEnqueue"/> unchanged when forwarding the frame.
    /// </summary>
    public VirtioNetHeader Vnet;

    /// <summary>The ring held fewer bytes than were on the wire (tp_snaplen &lt; tp_len): do not forward.</summary>
    public bool Truncated;

    /// <summary>The length on the wire (tp_len), which may exceed the span when <see cref="Truncated"/>.</summary>
    public int WireLength;

    /// <summary>TP_STATUS_CSUMNOTREADY: the L4 checksum is partial (also visible as <see cref="VirtioNetFlags.NeedsChecksum"/>).</summary>
    public bool ChecksumNotReady;

    /// <summary>TP_STATUS_CSUM_VALID: the checksum was verified by the device.</summary>
    public bool ChecksumValid;

    /// <summary>TP_STATUS_VLAN_VALID: the device stripped an 802.1Q tag; it is in <see cref="VlanTci"/>.</summary>
    public bool VlanValid;

    /// <summary>The stripped VLAN tag control information, valid when <see cref="VlanValid"/>.</summary>
    public ushort VlanTci;

    /// <summary>Kernel receive timestamp, seconds part (CLOCK_REALTIME).</summary>
    public uint TimestampSec;

    /// <summary>Kernel receive timestamp, nanoseconds part.</summary>
    public uint TimestampNsec;

    /// <summary>What a ring frame's header (TPACKET_V2 or V3) and its sockaddr_ll say; <see cref="Vnet"/> is left to the caller.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static FrameInfo FromRing(in SockAddrLl sll, uint status, uint wireLength, uint snapLength, ushort vlanTci, uint sec, uint nsec) => new()
    {
        IfIndex = sll.IfIndex,
        PacketType = (PacketType)sll.PacketType,
        Protocol = HostToNet(sll.Protocol),
        Truncated = snapLength < wireLength,
        WireLength = (int)wireLength,
        ChecksumNotReady = (status & TP_STATUS_CSUMNOTREADY) != 0,
        ChecksumValid = (status & TP_STATUS_CSUM_VALID) != 0,
        VlanValid = (status & TP_STATUS_VLAN_VALID) != 0,
        VlanTci = vlanTci,
        TimestampSec = sec,
        TimestampNsec = nsec,
    };
}

/// <summary>
/// Receives frames from <see cref="PacketRing.Drain{THandler}"/>. Implement it on a struct so the
/// call is devirtualised and nothing is allocated per frame.
/// </summary>
public interface IFrameHandler
{
    /// <summary>
    /// Handles one Ethernet frame. The span points into the ring and is valid only during the
    /// call; it is writable, so the frame can be rewritten in place and then copied out by
    /// <see cref="PacketSender.TryEnqueue"/>.
    /// </summary>
    void OnFrame(Span<byte> frame, ref FrameInfo info);
}
