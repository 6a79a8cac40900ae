using System.Runtime.InteropServices;

namespace Lvs.Linux.Interop;

/// <summary>
/// Raw IPv4/IPv6 sockets and their options (include/uapi/linux/in.h, include/uapi/linux/in6.h,
/// include/linux/socket.h), as VRRP needs them: multicast membership, TTL/hop limit, header
/// inclusion, and recvmsg with control messages.
/// </summary>
internal static unsafe partial class Inet
{
    private const string Lib = "libc";

    public const int IPPROTO_IP = 0;
    public const int IPPROTO_IPV6 = 41;

    // in.h
    public const int IP_TTL = 2;
    public const int IP_HDRINCL = 3;
    public const int IP_MULTICAST_IF = 32;
    public const int IP_MULTICAST_TTL = 33;
    public const int IP_MULTICAST_LOOP = 34;
    public const int IP_ADD_MEMBERSHIP = 35;

    // in6.h
    public const int IPV6_UNICAST_HOPS = 16;
    public const int IPV6_MULTICAST_IF = 17;
    public const int IPV6_MULTICAST_HOPS = 18;
    public const int IPV6_MULTICAST_LOOP = 19;
    public const int IPV6_ADD_MEMBERSHIP = 20;
    public const int IPV6_RECVPKTINFO = 49;
    public const int IPV6_PKTINFO = 50;
    public const int IPV6_RECVHOPLIMIT = 51;
    public const int IPV6_HOPLIMIT = 52;

    // asm-generic/socket.h
    public const int SO_BINDTODEVICE = 25;

    /// <summary>struct sockaddr_in (in.h); Address in network byte order as bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrIn
    {
        public ushort Family;
        public ushort Port;
        public fixed byte Address[4];
        public fixed byte Zero[8];
    }

    /// <summary>struct sockaddr_in6 (in6.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrIn6
    {
        public ushort Family;
        public ushort Port;
        public uint FlowInfo;
        public fixed byte Address[16];
        public uint ScopeId;
    }

    /// <summary>struct ip_mreqn (in.h): group, local address, interface index.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct IpMreqn
    {
        public fixed byte MultiAddr[4];
        public fixed byte Address[4];
        public int IfIndex;
    }

    /// <summary>struct ipv6_mreq (in6.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Ipv6Mreq
    {
        public fixed byte MultiAddr[16];
        public int IfIndex;
    }

    /// <summary>struct in6_pktinfo (ipv6.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct In6PktInfo
    {
        public fixed byte Address[16];
        public int IfIndex;
    }

    /// <summary>struct cmsghdr (socket.h), x86_64 / aarch64 layout.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CmsgHdr
    {
        public nuint Len;
        public int Level;
        public int Type;
    }

    [LibraryImport(Lib, EntryPoint = "recvmsg", SetLastError = true)]
    public static partial nint RecvMsg(int fd, Libc.MsgHdr* msg, int flags);

    /// <summary>CMSG_ALIGN: control messages are aligned to sizeof(size_t).</summary>
    public static int CmsgAlign(int length) => (length + sizeof(nuint) - 1) & ~(sizeof(nuint) - 1);

    /// <summary>CMSG_SPACE(length).</summary>
    public static int CmsgSpace(int length) => CmsgAlign(sizeof(CmsgHdr)) + CmsgAlign(length);

    /// <summary>CMSG_LEN(length).</summary>
    public static int CmsgLen(int length) => CmsgAlign(sizeof(CmsgHdr)) + length;
}
