using System.Runtime.InteropServices;

namespace Lvs.Linux.Interop;

/// <summary>AF_XDP sockets (include/uapi/linux/if_xdp.h, include/linux/socket.h).</summary>
internal static unsafe partial class Xdp
{
    private const string Lib = "libc";

    public const int AF_XDP = 44;
    public const int SOL_XDP = 283;

    // Socket options at SOL_XDP.
    public const int XDP_MMAP_OFFSETS = 1;
    public const int XDP_RX_RING = 2;
    public const int XDP_TX_RING = 3;
    public const int XDP_UMEM_REG = 4;
    public const int XDP_UMEM_FILL_RING = 5;
    public const int XDP_UMEM_COMPLETION_RING = 6;
    public const int XDP_STATISTICS = 7;
    public const int XDP_OPTIONS = 8;

    // sockaddr_xdp.sxdp_flags
    public const ushort XDP_SHARED_UMEM = 1 << 0;
    public const ushort XDP_COPY = 1 << 1;
    public const ushort XDP_ZEROCOPY = 1 << 2;
    public const ushort XDP_USE_NEED_WAKEUP = 1 << 3;

    // xdp_ring_offset.flags bits
    public const uint XDP_RING_NEED_WAKEUP = 1 << 0;

    // mmap page offsets of the four rings
    public const long XDP_PGOFF_RX_RING = 0;
    public const long XDP_PGOFF_TX_RING = 0x80000000;
    public const long XDP_UMEM_PGOFF_FILL_RING = 0x100000000;
    public const long XDP_UMEM_PGOFF_COMPLETION_RING = 0x180000000;

    // rtnetlink's XDP attachment (include/uapi/linux/if_link.h, rtnetlink.h).
    public const ushort RTM_SETLINK = 19;
    public const ushort IFLA_XDP = 43;
    public const ushort NLA_F_NESTED = 1 << 15;
    public const ushort IFLA_XDP_FD = 1;
    public const ushort IFLA_XDP_ATTACHED = 2;
    public const ushort IFLA_XDP_FLAGS = 3;
    public const ushort IFLA_XDP_PROG_ID = 4;

    // IFLA_XDP_ATTACHED values
    public const byte XDP_ATTACHED_NONE = 0;
    public const byte XDP_ATTACHED_DRV = 1;
    public const byte XDP_ATTACHED_SKB = 2;
    public const byte XDP_ATTACHED_HW = 3;
    public const byte XDP_ATTACHED_MULTI = 4;

    public const int MAP_PRIVATE = 0x02;
    public const int MAP_ANONYMOUS = 0x20;
    public const int MAP_POPULATE = 0x8000;

    /// <summary>struct sockaddr_xdp.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrXdp
    {
        public ushort Family;
        public ushort Flags;
        public uint IfIndex;
        public uint QueueId;
        public uint SharedUmemFd;
    }

    /// <summary>struct xdp_umem_reg.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct UmemReg
    {
        public ulong Addr;
        public ulong Len;
        public uint ChunkSize;
        public uint Headroom;
        public uint Flags;
        public uint TxMetadataLen;
    }

    /// <summary>struct xdp_ring_offset: byte offsets inside one ring's mapping.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct RingOffset
    {
        public ulong Producer;
        public ulong Consumer;
        public ulong Desc;
        public ulong Flags;
    }

    /// <summary>struct xdp_mmap_offsets.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MmapOffsets
    {
        public RingOffset Rx;
        public RingOffset Tx;
        public RingOffset Fill;
        public RingOffset Completion;
    }

    /// <summary>struct xdp_desc: one rx/tx ring entry.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Desc
    {
        public ulong Addr;
        public uint Len;
        public uint Options;
    }

    /// <summary>struct xdp_statistics.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Statistics
    {
        public ulong RxDropped;
        public ulong RxInvalidDescs;
        public ulong TxInvalidDescs;
        public ulong RxRingFull;
        public ulong RxFillRingEmptyDescs;
        public ulong TxRingEmptyDescs;
    }
}
