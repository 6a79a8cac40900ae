using System.Runtime.InteropServices;

namespace Lvs.Linux.Interop;

/// <summary>
/// rtnetlink constants and the fixed-size headers of its messages. Values from
/// include/uapi/linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h, neighbour.h and if.h.
/// Headers are host byte order; addresses inside attributes are network byte order.
/// </summary>
internal static class Netlink
{
    public const int NETLINK_ROUTE = 0;
    public const int SOL_NETLINK = 270;
    public const int NETLINK_EXT_ACK = 11;

    // struct nlmsghdr { __u32 nlmsg_len; __u16 nlmsg_type; __u16 nlmsg_flags; __u32 nlmsg_seq; __u32 nlmsg_pid; }
    public const int NlMsgHdrSize = 16;

    // struct rtattr { unsigned short rta_len; unsigned short rta_type; }
    public const int RtAttrSize = 4;

    // struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }
    public const int IfInfoMsgSize = 16;

    // struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; }
    public const int IfAddrMsgSize = 8;

    // struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; }
    public const int RtMsgSize = 12;

    // struct ndmsg { u8 family; u8 pad1; u16 pad2; s32 ifindex; u16 state; u8 flags; u8 type; }
    public const int NdMsgSize = 12;

    // struct rtgenmsg { unsigned char rtgen_family; } padded to 4 in requests.
    public const int RtGenMsgSize = 4;

    // struct rtnexthop { u16 len; u8 flags; u8 hops; s32 ifindex; } followed by attributes.
    public const int RtNextHopSize = 8;

    public const ushort NLM_F_REQUEST = 0x1;
    public const ushort NLM_F_MULTI = 0x2;
    public const ushort NLM_F_ACK = 0x4;
    public const ushort NLM_F_DUMP = 0x300;
    public const ushort NLM_F_DUMP_INTR = 0x10;

    public const ushort NLMSG_NOOP = 1;
    public const ushort NLMSG_ERROR = 2;
    public const ushort NLMSG_DONE = 3;
    public const ushort NLMSG_OVERRUN = 4;

    public const ushort RTM_NEWLINK = 16;
    public const ushort RTM_DELLINK = 17;
    public const ushort RTM_GETLINK = 18;
    public const ushort RTM_NEWADDR = 20;
    public const ushort RTM_DELADDR = 21;
    public const ushort RTM_GETADDR = 22;
    public const ushort RTM_NEWROUTE = 24;
    public const ushort RTM_DELROUTE = 25;
    public const ushort RTM_GETROUTE = 26;
    public const ushort RTM_NEWNEIGH = 28;
    public const ushort RTM_DELNEIGH = 29;
    public const ushort RTM_GETNEIGH = 30;

    // IFLA_* (if_link.h)
    public const ushort IFLA_ADDRESS = 1;
    public const ushort IFLA_IFNAME = 3;
    public const ushort IFLA_MTU = 4;

    // IFF_* (if.h)
    public const uint IFF_UP = 0x1;
    public const uint IFF_LOOPBACK = 0x8;
    public const uint IFF_RUNNING = 0x40;
    public const uint IFF_LOWER_UP = 0x10000;

    // IFA_* (if_addr.h)
    public const ushort IFA_ADDRESS = 1;
    public const ushort IFA_LOCAL = 2;

    // RTA_* (rtnetlink.h)
    public const ushort RTA_DST = 1;
    public const ushort RTA_OIF = 4;
    public const ushort RTA_GATEWAY = 5;
    public const ushort RTA_PRIORITY = 6;
    public const ushort RTA_PREFSRC = 7;
    public const ushort RTA_METRICS = 8;
    public const ushort RTA_MULTIPATH = 9;
    public const ushort RTA_TABLE = 15;

    // RTAX_* inside RTA_METRICS
    public const ushort RTAX_MTU = 2;

    public const byte RT_TABLE_MAIN = 254;
    public const byte RT_TABLE_LOCAL = 255;

    // NDA_* (neighbour.h)
    public const ushort NDA_DST = 1;
    public const ushort NDA_LLADDR = 2;

    // RTMGRP_* (rtnetlink.h): legacy multicast group bitmask for sockaddr_nl.nl_groups.
    public const uint RTMGRP_LINK = 0x1;
    public const uint RTMGRP_NEIGH = 0x4;
    public const uint RTMGRP_IPV4_IFADDR = 0x10;
    public const uint RTMGRP_IPV4_ROUTE = 0x40;
    public const uint RTMGRP_IPV6_IFADDR = 0x100;
    public const uint RTMGRP_IPV6_ROUTE = 0x400;

    /// <summary>struct sockaddr_nl (linux/netlink.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SockAddrNl
    {
        public ushort Family;
        public ushort Pad;
        public uint Pid;
        public uint Groups;
    }
}
