using Lvs.Linux.Interop;
using static Lvs.Linux.Interop.Inet;

namespace Lvs.Linux.Vrrp;

/// <summary>What a receive told about the datagram beyond its bytes (IPv6; IPv4 reads the header itself).</summary>
/// <param name="HopLimit">IPv6 hop limit from IPV6_HOPLIMIT; -1 when absent.</param>
public readonly record struct VrrpReceiveInfo(int Length, byte[] Source, byte[] Destination, int HopLimit);

/// <summary>
/// A raw IPPROTO_VRRP (112) socket on one interface and family. IPv4: IP_HDRINCL both ways, so
/// the TTL on the wire is read from the header and the source address is the one we write;
/// IPv6: hop limit and destination from IPV6_RECVHOPLIMIT / IPV6_RECVPKTINFO, source set per
/// datagram with IPV6_PKTINFO. Joined to 224.0.0.18 / ff02::12 on the interface, multicast TTL /
/// hops 255, loop off (our own adverts must not come back as a peer's).
/// </summary>
public sealed unsafe class VrrpSocket : IDisposable
{
    private const int Protocol = 112;
    private int _fd;

    private VrrpSocket(int fd, int ifIndex, bool ipv6)
    {
        _fd = fd;
        IfIndex = ifIndex;
        IsIpv6 = ipv6;
    }

    public int Fd => _fd;

    public int IfIndex { get; }

    public bool IsIpv6 { get; }

    public static VrrpSocket Open(string ifName, bool ipv6)
    {
        int ifIndex = (int)Libc.IfNameToIndex(ifName);
        if (ifIndex == 0)
        {
            throw new LinuxException($"if_nametoindex({ifName})", Errno.Last);
        }

        int fd = Libc.Socket(ipv6 ? Libc.AF_INET6 : Libc.AF_INET, Libc.SOCK_RAW | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, Protocol);
        if (fd < 0)
        {
            throw LinuxException.FromLast("socket(SOCK_RAW, IPPROTO_VRRP)");
        }

        try
        {
            byte[] name = System.Text.Encoding.ASCII.GetBytes(ifName + "\0");
            fixed (byte* p = name)
            {
                Check(Libc.SetSockOpt(fd, Libc.SOL_SOCKET, SO_BINDTODEVICE, p, (uint)name.Length), "SO_BINDTODEVICE");
            }

            if (ipv6)
            {
                SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 255, "IPV6_MULTICAST_HOPS");
                SetInt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255, "IPV6_UNICAST_HOPS");
                SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
                SetInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, ifIndex, "IPV6_MULTICAST_IF");
                SetInt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
                SetInt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
                var mreq = new Ipv6Mreq { IfIndex = ifIndex };
                mreq.MultiAddr[0] = 0xff;
                mreq.MultiAddr[1] = 0x02;
                mreq.MultiAddr[15] = 0x12;
                Check(Libc.SetSockOpt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq, (uint)sizeof(Ipv6Mreq)), "IPV6_ADD_MEMBERSHIP");
            }
            else
            {
                SetInt(fd, IPPROTO_IP, IP_HDRINCL, 1, "IP_HDRINCL");
                SetInt(fd, IPPROTO_IP, IP_MULTICAST_TTL, 255, "IP_MULTICAST_TTL");
                SetInt(fd, IPPROTO_IP, IP_TTL, 255, "IP_TTL");
                SetInt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP");
                var mreq = new IpMreqn { IfIndex = ifIndex };
                mreq.MultiAddr[0] = 224;
                mreq.MultiAddr[3] = 18;
                Check(Libc.SetSockOpt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, (uint)sizeof(IpMreqn)), "IP_MULTICAST_IF");
                Check(Libc.SetSockOpt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, (uint)sizeof(IpMreqn)), "IP_ADD_MEMBERSHIP");
            }
        }
        catch
        {
            _ = Libc.Close(fd);
            throw;
        }

        return new VrrpSocket(fd, ifIndex, ipv6);
    }

    /// <summary>Sends an IPv4 packet whose header we wrote (IP_HDRINCL) to <paramref name="destination"/>.</summary>
    public void SendIpv4(ReadOnlySpan<byte> packet, ReadOnlySpan<byte> destination)
    {
        var to = new SockAddrIn { Family = Libc.AF_INET };
        destination.CopyTo(new Span<byte>(to.Address, 4));
        fixed (byte* p = packet)
        {
            if (Libc.SendTo(_fd, p, (nuint)packet.Length, 0, &to, (uint)sizeof(SockAddrIn)) < 0)
            {
                throw LinuxException.FromLast("sendto(VRRP)");
            }
        }
    }

    /// <summary>Sends a VRRP message over IPv6 from <paramref name="source"/> (IPV6_PKTINFO) to <paramref name="destination"/>.</summary>
    public void SendIpv6(ReadOnlySpan<byte> message, ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination)
    {
        var to = new SockAddrIn6 { Family = Libc.AF_INET6, ScopeId = (uint)IfIndex };
        destination.CopyTo(new Span<byte>(to.Address, 16));
        int space = CmsgSpace(sizeof(In6PktInfo));
        byte* control = stackalloc byte[space];
        new Span<byte>(control, space).Clear();
        var cmsg = (CmsgHdr*)control;
        cmsg->Len = (nuint)CmsgLen(sizeof(In6PktInfo));
        cmsg->Level = IPPROTO_IPV6;
        cmsg->Type = IPV6_PKTINFO;
        var info = (In6PktInfo*)(control + CmsgAlign(sizeof(CmsgHdr)));
        source.CopyTo(new Span<byte>(info->Address, 16));
        info->IfIndex = IfIndex;
        fixed (byte* p = message)
        {
            var iov = new Libc.IoVec { Base = p, Length = (nuint)message.Length };
            var msg = new Libc.MsgHdr { Name = &to, NameLen = (uint)sizeof(SockAddrIn6), Iov = &iov, IovLen = 1, Control = control, ControlLen = (nuint)space };
            if (Libc.SendMsg(_fd, &msg, 0) < 0)
            {
                throw LinuxException.FromLast("sendmsg(VRRP6)");
            }
        }
    }

    /// <summary>
    /// Reads one datagram without blocking; false when none is queued. IPv4: the whole packet,
    /// header included (source, destination, TTL are in it). IPv6: the VRRP message, with source,
    /// destination and hop limit in <paramref name="info"/>.
    /// </summary>
    public bool TryReceive(Span<byte> buffer, out VrrpReceiveInfo info)
    {
        info = default;
        int space = CmsgSpace(sizeof(In6PktInfo)) + CmsgSpace(sizeof(int));
        byte* control = stackalloc byte[space];
        SockAddrIn6 from6;
        SockAddrIn from4;
        fixed (byte* p = buffer)
        {
            var iov = new Libc.IoVec { Base = p, Length = (nuint)buffer.Length };
            var msg = new Libc.MsgHdr
            {
                Name = IsIpv6 ? &from6 : &from4,
                NameLen = IsIpv6 ? (uint)sizeof(SockAddrIn6) : (uint)sizeof(SockAddrIn),
                Iov = &iov,
                IovLen = 1,
                Control = control,
                ControlLen = (nuint)space,
            };
            nint n = RecvMsg(_fd, &msg, Libc.MSG_DONTWAIT);
            if (n < 0)
            {
                int errno = Errno.Last;
                if (errno is Errno.EAGAIN or Errno.EINTR)
                {
                    return false;
                }

                throw new LinuxException("recvmsg(VRRP)", errno);
            }

            if (!IsIpv6)
            {
                info = new VrrpReceiveInfo((int)n, [], [], -1);
                return true;
            }

            byte[] destination = new byte[16];
            int hopLimit = -1;
            for (byte* c = control; c + sizeof(CmsgHdr) <= control + (int)msg.ControlLen;)
            {
                var h = (CmsgHdr*)c;
                if (h->Len < (nuint)sizeof(CmsgHdr))
                {
                    break;
                }

                byte* data = c + CmsgAlign(sizeof(CmsgHdr));
                if (h->Level == IPPROTO_IPV6 && h->Type == IPV6_HOPLIMIT)
                {
                    hopLimit = *(int*)data;
                }
                else if (h->Level == IPPROTO_IPV6 && h->Type == IPV6_PKTINFO)
                {
                    new ReadOnlySpan<byte>(((In6PktInfo*)data)->Address, 16).CopyTo(destination);
                }

                c += CmsgAlign((int)h->Len);
            }

            info = new VrrpReceiveInfo((int)n, new ReadOnlySpan<byte>(from6.Address, 16).ToArray(), destination, hopLimit);
            return true;
        }
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = Libc.Close(fd);
        }
    }

    private static void SetInt(int fd, int level, int option, int value, string name) =>
        Check(Libc.SetSockOpt(fd, level, option, &value, sizeof(int)), name);

    private static void Check(int rc, string what)
    {
        if (rc != 0)
        {
            throw LinuxException.FromLast($"setsockopt({what})");
        }
    }
}
