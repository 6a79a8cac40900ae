using Lvs.Linux.Interop;

namespace Lvs.Linux.PacketIO;

/// <summary>Checks, before a daemon commits to anything, that the data path can run here.</summary>
public static class Capabilities
{
    /// <summary>
    /// Tries to open (and closes) an AF_PACKET socket. On failure <paramref name="reason"/> is one
    /// line for the user, e.g. "lvsd needs root or CAP_NET_RAW to open packet sockets".
    /// </summary>
    public static bool CanOpenPacketSocket(out string reason)
    {
        int fd = Libc.Socket(Libc.AF_PACKET, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, 0);
        if (fd >= 0)
        {
            _ = Libc.Close(fd);
            reason = string.Empty;
            return true;
        }

        int errno = Errno.Last;
        reason = errno switch
        {
            Errno.EPERM or Errno.EACCES => "lvsd needs root or CAP_NET_RAW to open packet sockets",
            Packet.EAFNOSUPPORT => "this kernel has no AF_PACKET support (CONFIG_PACKET)",
            _ => $"cannot open a packet socket: {Errno.Describe(errno)}",
        };
        return false;
    }
}
