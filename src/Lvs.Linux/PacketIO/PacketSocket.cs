using Lvs.Linux.Interop;
using static Lvs.Linux.Interop.Packet;

namespace Lvs.Linux.PacketIO;

/// <summary>The setup steps <see cref="PacketRing"/> and <see cref="PacketSender"/> share.</summary>
internal static unsafe class PacketSocket
{
    /// <summary>
    /// A non-blocking, close-on-exec SOCK_RAW packet socket with protocol 0: it receives nothing
    /// until bound with a protocol, so no frame is queued before the ring exists.
    /// </summary>
    public static int Open()
    {
        int fd = Libc.Socket(Libc.AF_PACKET, Libc.SOCK_RAW | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw LinuxException.FromLast("socket(AF_PACKET)");
        }

        return fd;
    }

    public static int IfIndexOf(string ifName)
    {
        uint index = Libc.IfNameToIndex(ifName);
        if (index == 0)
        {
            throw new LinuxException($"if_nametoindex({ifName})", Errno.Last);
        }

        return (int)index;
    }

    public static void SetInt(int fd, int level, int option, int value, string name)
    {
        if (Libc.SetSockOpt(fd, level, option, &value, sizeof(int)) != 0)
        {
            throw LinuxException.FromLast($"setsockopt({name})");
        }
    }

    /// <summary>Binds to one interface; protocol in host order (0: receive nothing).</summary>
    public static void Bind(int fd, int ifIndex, ushort protocol)
    {
        var addr = new SockAddrLl
        {
            Family = Libc.AF_PACKET,
            Protocol = HostToNet(protocol),
            IfIndex = ifIndex,
        };
        if (Libc.Bind(fd, &addr, (uint)sizeof(SockAddrLl)) != 0)
        {
            throw LinuxException.FromLast("bind(AF_PACKET)");
        }
    }

    /// <summary>Closes a descriptor during a failed setup without masking the original error.</summary>
    public static void CloseQuietly(int fd)
    {
        if (fd >= 0)
        {
            _ = Libc.Close(fd);
        }
    }
}
