namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>What the XDP program did with a frame; the index of its per-CPU "stats" counter.</summary>
public enum XdpCounter
{
    /// <summary>Destination matched "services" (or an ICMP error quotes a packet from a service): redirected to the queue's socket.</summary>
    RedirectedService = 0,

    /// <summary>Source matched "replies" (a NAT real server's answer, or an ICMP error quotes a packet to one): redirected.</summary>
    RedirectedReply = 1,

    /// <summary>TCP/UDP/SCTP that matched neither map: left to the kernel.</summary>
    PassedNoMatch = 2,

    /// <summary>Not IPv4/IPv6, another protocol (ARP, ICMP other than errors, ICMPv6, IPv6 extension headers) or a non-first fragment: left to the kernel.</summary>
    PassedOther = 3,

    /// <summary>Shorter than the headers it claims: left to the kernel, which drops and counts it.</summary>
    PassedTruncated = 4,

    /// <summary>Matched, but no AF_XDP socket is bound to the frame's rx queue: left to the kernel.</summary>
    PassedNoSocket = 5,

    /// <summary>Source matched "replies" but the destination is one of the director's own addresses ("locals"), e.g. its health checks: left to the kernel.</summary>
    PassedToDirector = 6,

    /// <summary>Matched one of the operator's marking rules compiled into the program (a fwmark service's traffic): redirected.</summary>
    RedirectedMarked = 7,
}
