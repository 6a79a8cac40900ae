using System.Runtime.InteropServices;

namespace Lvs.Linux.Interop;

/// <summary>
/// AF_PACKET sockets and their memory-mapped TPACKET_V3 rings (include/uapi/linux/if_packet.h),
/// plus the few libc calls the packet path needs beyond <see cref="Libc"/>: eventfd, read/write,
/// open and setns. Kept in their own class so other areas can add theirs without clashing.
/// </summary>
internal static unsafe partial class Packet
{
    private const string Lib = "libc";

    /// <summary>ETH_P_ALL (include/uapi/linux/if_ether.h), host order; pass through <see cref="HostToNet"/>.</summary>
    public const ushort ETH_P_ALL = 0x0003;

    public const int SOL_PACKET = 263;

    // Socket options at SOL_PACKET (if_packet.h).
    public const int PACKET_RX_RING = 5;
    public const int PACKET_STATISTICS = 6;
    public const int PACKET_AUXDATA = 8;
    public const int PACKET_VERSION = 10;
    public const int PACKET_RESERVE = 12;
    public const int PACKET_VNET_HDR = 15;
    public const int PACKET_QDISC_BYPASS = 20;
    public const int PACKET_IGNORE_OUTGOING = 23;
    public const int PACKET_FANOUT = 18;
    public const int PACKET_FANOUT_DATA = 22;

    // PACKET_FANOUT's argument: group id | (type | flags) << 16 (if_packet.h).
    public const int PACKET_FANOUT_CBPF = 6;
    public const int PACKET_FANOUT_FLAG_UNIQUEID = 0x2000;
    public const int PACKET_FANOUT_FLAG_IGNORE_OUTGOING = 0x4000;

    public const int PACKET_COPY_THRESH = 7;
    public const int TPACKET_V2 = 1;
    public const int TPACKET_V3 = 2;
    public const int TPACKET_ALIGNMENT = 16;

    // tp_status / block_status bits (if_packet.h).
    public const uint TP_STATUS_KERNEL = 0;
    public const uint TP_STATUS_USER = 1 << 0;
    public const uint TP_STATUS_COPY = 1 << 1;
    public const uint TP_STATUS_LOSING = 1 << 2;
    public const uint TP_STATUS_CSUMNOTREADY = 1 << 3;
    public const uint TP_STATUS_VLAN_VALID = 1 << 4;
    public const uint TP_STATUS_BLK_TMO = 1 << 5;
    public const uint TP_STATUS_VLAN_TPID_VALID = 1 << 6;
    public const uint TP_STATUS_CSUM_VALID = 1 << 7;
    public const uint TP_STATUS_GSO_TCP = 1 << 8;

    /// <summary>Offset of the sockaddr_ll after a tpacket2_hdr: TPACKET_ALIGN(sizeof(struct tpacket2_hdr)).</summary>
    public const int TPACKET2_SOCKADDR_OFFSET = 32;

    /// <summary>Offset of the sockaddr_ll after a tpacket3_hdr: TPACKET_ALIGN(sizeof(struct tpacket3_hdr)).</summary>
    public const int TPACKET3_SOCKADDR_OFFSET = 48;

    // eventfd(2) flags (include/uapi/linux/eventfd.h: O_NONBLOCK, O_CLOEXEC on x86_64/aarch64).
    public const int EFD_NONBLOCK = 0x800;
    public const int EFD_CLOEXEC = 0x80000;

    public const int O_RDONLY = 0;
    public const int O_CLOEXEC = 0x80000;

    /// <summary>CLONE_NEWNET (include/uapi/linux/sched.h).</summary>
    public const int CLONE_NEWNET = 0x40000000;

    public const short POLLHUP = 0x010;
    public const short POLLNVAL = 0x020;

    public const int EAFNOSUPPORT = 97;

    /// <summary>htons / ntohs.</summary>
    public static ushort HostToNet(ushort value) =>
        BitConverter.IsLittleEndian ? System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(value) : value;

    /// <summary>struct tpacket_req3: the TPACKET_V3 ring request for PACKET_RX_RING.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TPacketReq3
    {
        public uint BlockSize;        // tp_block_size: a multiple of the page size
        public uint BlockCount;       // tp_block_nr
        public uint FrameSize;        // tp_frame_size: V3 only checks it
        public uint FrameCount;       // tp_frame_nr = block_size / frame_size * block_nr
        public uint RetireBlockTimeoutMs; // tp_retire_blk_tov
        public uint SizeofPriv;       // tp_sizeof_priv
        public uint FeatureReqWord;   // tp_feature_req_word
    }

    /// <summary>struct tpacket_req: the TPACKET_V1/V2 ring request for PACKET_RX_RING.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TPacketReq
    {
        public uint BlockSize;        // tp_block_size: a multiple of the page size
        public uint BlockCount;       // tp_block_nr
        public uint FrameSize;        // tp_frame_size: a multiple of TPACKET_ALIGNMENT
        public uint FrameCount;       // tp_frame_nr = block_size / frame_size * block_nr
    }

    /// <summary>struct tpacket2_hdr: at the start of every frame slot of a V2 ring.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TPacket2Hdr
    {
        public uint Status;       // tp_status: TP_STATUS_USER once the kernel filled the slot
        public uint Length;       // tp_len: bytes on the wire
        public uint SnapLength;   // tp_snaplen: bytes in the slot
        public ushort Mac;        // tp_mac: from this header to the MAC header
        public ushort Net;        // tp_net
        public uint Sec;
        public uint Nsec;
        public ushort VlanTci;
        public ushort VlanTpid;
        public uint Padding;      // tp_padding[4]
    }

    /// <summary>struct tpacket_hdr_v1: the header of a V3 block, after version and offset_to_priv.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TPacketHdrV1
    {
        public uint BlockStatus;
        public uint NumPackets;
        public uint OffsetToFirstPacket;
        public uint BlockLength;
        public ulong SequenceNumber;   // __aligned_u64
        public uint FirstPacketSec;
        public uint FirstPacketNsec;
        public uint LastPacketSec;
        public uint LastPacketNsec;
    }

    /// <summary>struct tpacket_block_desc: at the start of every V3 block.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TPacketBlockDesc
    {
        public uint Version;
        public uint OffsetToPriv;
        public TPacketHdrV1 Header;
    }

    /// <summary>struct tpacket3_hdr: at the start of every frame in a V3 block.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TPacket3Hdr
    {
        public uint NextOffset;   // tp_next_offset: from this header to the next frame's, 0 for the last
        public uint Sec;
        public uint Nsec;
        public uint SnapLength;   // tp_snaplen: bytes in the ring
        public uint Length;       // tp_len: bytes on the wire
        public uint Status;
        public ushort Mac;        // tp_mac: from this header to the MAC header
        public ushort Net;        // tp_net: from this header to the network header
        public uint RxHash;       // hv1.tp_rxhash
        public uint VlanTci;      // hv1.tp_vlan_tci
        public ushort VlanTpid;   // hv1.tp_vlan_tpid
        public ushort Padding0;
        public ulong Padding1;    // tp_padding[8]
    }

    /// <summary>struct sockaddr_ll (include/uapi/linux/if_packet.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrLl
    {
        public ushort Family;
        public ushort Protocol;   // network order
        public int IfIndex;
        public ushort HaType;
        public byte PacketType;
        public byte HaLength;
        public fixed byte Address[8]; // sll_addr: bytes, so the struct stays 4-aligned (20 bytes)
    }

    /// <summary>struct tpacket_stats_v3: PACKET_STATISTICS (reading resets it); a V1/V2 socket fills only its head, struct tpacket_stats.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TPacketStatsV3
    {
        public uint Packets;
        public uint Drops;
        public uint FreezeQueueCount;
    }

    /// <summary>struct sock_fprog (include/uapi/linux/filter.h): a classic BPF program.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockFprog
    {
        public ushort Length;     // len: instructions
        public void* Filter;      // struct sock_filter *
    }

    [LibraryImport(Lib, EntryPoint = "sched_setaffinity", SetLastError = true)]
    public static partial int SchedSetAffinity(int pid, nuint cpuSetSize, ulong* mask);

    [LibraryImport(Lib, EntryPoint = "eventfd", SetLastError = true)]
    public static partial int EventFd(uint initialValue, int flags);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, void* buf, nuint count);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, void* buf, nuint count);

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags);

    [LibraryImport(Lib, EntryPoint = "setns", SetLastError = true)]
    public static partial int SetNs(int fd, int nsType);
}
