using System.Runtime.InteropServices;

namespace Lvs.Linux.Interop;

/// <summary>
/// The bpf(2) system call and the parts of union bpf_attr we use (include/uapi/linux/bpf.h).
/// glibc has no bpf() wrapper, so it goes through syscall(2). Each attr struct below is the
/// leading part of union bpf_attr for one command; the kernel accepts a shorter size than its own
/// union and treats the missing tail as zero.
/// </summary>
internal static unsafe partial class Bpf
{
    private const string Lib = "libc";

    /// <summary>__NR_bpf on x86_64 (arch/x86/entry/syscalls/syscall_64.tbl); 280 on aarch64.</summary>
    public static readonly nint SYS_bpf = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 280 : 321;

    // enum bpf_cmd
    public const int BPF_MAP_CREATE = 0;
    public const int BPF_MAP_LOOKUP_ELEM = 1;
    public const int BPF_MAP_UPDATE_ELEM = 2;
    public const int BPF_MAP_DELETE_ELEM = 3;
    public const int BPF_PROG_LOAD = 5;
    public const int BPF_PROG_TEST_RUN = 10;
    public const int BPF_PROG_GET_FD_BY_ID = 13;
    public const int BPF_OBJ_GET_INFO_BY_FD = 15;
    public const int BPF_LINK_CREATE = 28;
    public const int BPF_LINK_UPDATE = 29;

    // enum bpf_map_type
    public const uint BPF_MAP_TYPE_HASH = 1;
    public const uint BPF_MAP_TYPE_ARRAY = 2;
    public const uint BPF_MAP_TYPE_PERCPU_ARRAY = 6;
    public const uint BPF_MAP_TYPE_XSKMAP = 17;

    // enum bpf_prog_type
    public const uint BPF_PROG_TYPE_XDP = 6;

    // enum bpf_attach_type
    public const uint BPF_XDP = 37;

    // BPF_MAP_UPDATE_ELEM flags
    public const ulong BPF_ANY = 0;

    // enum xdp_action
    public const int XDP_ABORTED = 0;
    public const int XDP_DROP = 1;
    public const int XDP_PASS = 2;
    public const int XDP_TX = 3;
    public const int XDP_REDIRECT = 4;

    // XDP attach flags (include/uapi/linux/if_link.h)
    public const uint XDP_FLAGS_UPDATE_IF_NOEXIST = 1;
    public const uint XDP_FLAGS_SKB_MODE = 2;
    public const uint XDP_FLAGS_DRV_MODE = 4;

    /// <summary>union bpf_attr, BPF_MAP_CREATE part.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MapCreateAttr
    {
        public uint MapType;
        public uint KeySize;
        public uint ValueSize;
        public uint MaxEntries;
        public uint MapFlags;
        public uint InnerMapFd;
        public uint NumaNode;
        public fixed byte MapName[16]; // BPF_OBJ_NAME_LEN
    }

    /// <summary>union bpf_attr, BPF_MAP_*_ELEM part: map_fd, key, value (or next_key), flags.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct MapElemAttr
    {
        public uint MapFd;
        private readonly uint _pad;
        public ulong Key;
        public ulong Value;
        public ulong Flags;
    }

    /// <summary>union bpf_attr, BPF_PROG_LOAD part, up to expected_attach_type.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ProgLoadAttr
    {
        public uint ProgType;
        public uint InsnCount;
        public ulong Insns;
        public ulong License;
        public uint LogLevel;
        public uint LogSize;
        public ulong LogBuf;
        public uint KernVersion;
        public uint ProgFlags;
        public fixed byte ProgName[16];
        public uint ProgIfIndex;
        public uint ExpectedAttachType;
    }

    /// <summary>union bpf_attr, BPF_PROG_TEST_RUN part.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct TestRunAttr
    {
        public uint ProgFd;
        public uint Retval;
        public uint DataSizeIn;
        public uint DataSizeOut;
        public ulong DataIn;
        public ulong DataOut;
        public uint Repeat;
        public uint Duration;
        public uint CtxSizeIn;
        public uint CtxSizeOut;
        public ulong CtxIn;
        public ulong CtxOut;
        public uint Flags;
        public uint Cpu;
        public uint BatchSize;
        private readonly uint _pad;
    }

    /// <summary>union bpf_attr, BPF_LINK_CREATE part: prog_fd, target_ifindex, attach_type, flags.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LinkCreateAttr
    {
        public uint ProgFd;
        public uint TargetIfIndex;
        public uint AttachType;
        public uint Flags;
    }

    /// <summary>union bpf_attr, BPF_LINK_UPDATE part: link_fd, new_prog_fd, flags, old_prog_fd.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct LinkUpdateAttr
    {
        public uint LinkFd;
        public uint NewProgFd;
        public uint Flags;
        public uint OldProgFd;
    }

    /// <summary>union bpf_attr, BPF_PROG_GET_FD_BY_ID part (start_id is prog_id).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct GetFdByIdAttr
    {
        public uint Id;
        public uint NextId;
        public uint OpenFlags;
    }

    /// <summary>union bpf_attr, BPF_OBJ_GET_INFO_BY_FD part.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct InfoByFdAttr
    {
        public uint BpfFd;
        public uint InfoLen;
        public ulong Info;
    }

    /// <summary>The head of struct bpf_prog_info, up to name (offset 64).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct ProgInfo
    {
        public uint Type;
        public uint Id;
        public fixed byte Tag[8];
        public uint JitedProgLen;
        public uint XlatedProgLen;
        public ulong JitedProgInsns;
        public ulong XlatedProgInsns;
        public ulong LoadTime;
        public uint CreatedByUid;
        public uint NrMapIds;
        public ulong MapIds;
        public fixed byte Name[16];
    }

    [LibraryImport(Lib, EntryPoint = "syscall", SetLastError = true)]
    private static partial nint Syscall(nint number, nint cmd, void* attr, nint size);

    /// <summary>bpf(cmd, attr, size).</summary>
    public static int Call<T>(int cmd, ref T attr)
        where T : unmanaged
    {
        fixed (T* p = &attr)
        {
            return (int)Syscall(SYS_bpf, cmd, p, sizeof(T));
        }
    }
}
