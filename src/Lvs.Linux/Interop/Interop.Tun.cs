using System.Runtime.InteropServices;

namespace Lvs.Linux.Interop;

/// <summary>
/// TUN devices (include/uapi/linux/if_tun.h, include/uapi/linux/if.h) and the IP-level sockets
/// a tunnel endpoint reads from: raw sockets for IPPROTO_IPIP / IPPROTO_GRE
/// (include/uapi/linux/in.h) and a UDP socket for GUE, drained in batches with recvmmsg(2).
/// open/read/write are <see cref="Packet"/>'s; socket/bind/poll are <see cref="Libc"/>'s.
/// </summary>
internal static unsafe partial class Tun
{
    private const string Lib = "libc";

    public const int IPPROTO_IPIP = 4;
    public const int IPPROTO_UDP = 17;
    public const int IPPROTO_GRE = 47;

    /// <summary>TUNSETIFF = _IOW('T', 202, int).</summary>
    public const nuint TUNSETIFF = 0x400454CA;

    public const short IFF_TUN = 0x0001;
    public const short IFF_NO_PI = 0x1000;

    public const int IFNAMSIZ = 16;

    public const int O_RDWR = 2;

    /// <summary>msg_flags bit: the datagram was longer than the buffer (include/linux/socket.h).</summary>
    public const int MSG_TRUNC = 0x20;

    /// <summary>struct ifreq as TUNSETIFF reads it: the name, then ifr_flags in the 24-byte union.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 40)]
    public struct IfReq
    {
        public fixed byte Name[IFNAMSIZ];
        public short Flags;
    }

    /// <summary>struct sockaddr_in (include/uapi/linux/in.h); port and address in network order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrIn
    {
        public ushort Family;
        public ushort Port;
        public uint Address;
        public ulong Zero;
    }

    [LibraryImport(Lib, EntryPoint = "recvmmsg", SetLastError = true)]
    public static partial int RecvMMsg(int fd, Libc.MMsgHdr* msgs, uint count, int flags, void* timeout);
}
