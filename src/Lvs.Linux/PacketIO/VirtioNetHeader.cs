using System.Runtime.InteropServices;

namespace Lvs.Linux.PacketIO;

/// <summary>
/// struct virtio_net_hdr (include/uapi/linux/virtio_net.h), the 10 bytes a PACKET_VNET_HDR socket
/// puts before each frame's MAC header on receive and expects before it on send. It carries the
/// checksum offload (a partial checksum the next device must finish) and the GSO request (a
/// frame larger than the MTU that the kernel segments on the way out).
/// <code>
///  0        1        2                 4                 6                 8                10
///  +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
///  | flags  |gso_type|     hdr_len     |    gso_size     |   csum_start    |   csum_offset   |
///  +--------+--------+--------+--------+--------+--------+--------+--------+--------+--------+
/// </code>
/// Multi-byte fields are little-endian for packet sockets (vio_le()), that is host order here.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1, Size = 10)]
public struct VirtioNetHeader
{
    /// <summary>The header's size in bytes.</summary>
    public const int Size = 10;

    /// <summary>VIRTIO_NET_HDR_F_* bits.</summary>
    public VirtioNetFlags Flags;

    /// <summary>VIRTIO_NET_HDR_GSO_* value, possibly with <see cref="VirtioGsoType.Ecn"/>.</summary>
    public VirtioGsoType GsoType;

    /// <summary>Length of the headers to copy into each segment (Ethernet through L4).</summary>
    public ushort HdrLen;

    /// <summary>Payload bytes per segment (the MSS), 0 when not GSO.</summary>
    public ushort GsoSize;

    /// <summary>Offset from the MAC header where checksumming starts (the L4 header).</summary>
    public ushort CsumStart;

    /// <summary>Offset from <see cref="CsumStart"/> where the checksum is stored.</summary>
    public ushort CsumOffset;

    /// <summary>True when the frame's L4 checksum is partial and must be finished by whoever sends it.</summary>
    public readonly bool NeedsChecksum => (Flags & VirtioNetFlags.NeedsChecksum) != 0;

    /// <summary>True when the frame is a GSO super-frame (<see cref="GsoType"/> other than none).</summary>
    public readonly bool IsGso => (GsoType & ~VirtioGsoType.Ecn) != VirtioGsoType.None;

    /// <inheritdoc/>
    public override readonly string ToString() =>
        $"flags={Flags} gso={GsoType} hdr_len={HdrLen} gso_size={GsoSize} csum_start={CsumStart} csum_offset={CsumOffset}";
}

/// <summary>VIRTIO_NET_HDR_F_* (include/uapi/linux/virtio_net.h).</summary>
[Flags]
public enum VirtioNetFlags : byte
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>VIRTIO_NET_HDR_F_NEEDS_CSUM: the checksum at csum_start+csum_offset is partial.</summary>
    NeedsChecksum = 1,

    /// <summary>VIRTIO_NET_HDR_F_DATA_VALID: the checksum was already verified.</summary>
    DataValid = 2,
}

/// <summary>VIRTIO_NET_HDR_GSO_* (include/uapi/linux/virtio_net.h).</summary>
[Flags]
public enum VirtioGsoType : byte
{
    /// <summary>Not a GSO frame.</summary>
    None = 0,

    /// <summary>TCP over IPv4 (TSO).</summary>
    TcpV4 = 1,

    /// <summary>UDP fragmentation offload (UFO).</summary>
    Udp = 3,

    /// <summary>TCP over IPv6.</summary>
    TcpV6 = 4,

    /// <summary>UDP segmentation (USO, UDP_SEGMENT), kernels from 6.2.</summary>
    UdpL4 = 5,

    /// <summary>Flag: the TCP segments carry ECN CWR.</summary>
    Ecn = 0x80,
}
