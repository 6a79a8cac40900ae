using System.Text;
using Lvs.Linux.Interop;

namespace Lvs.Linux.Tunnel;

/// <summary>
/// A layer-3 TUN device (IFF_TUN | IFF_NO_PI): every <see cref="TryWrite"/> hands one IPv4 or
/// IPv6 packet to the kernel as if it had arrived on that interface. The device is not
/// persistent, so it disappears when this object is disposed (or the process dies), with
/// whatever sysctls were set on it: nothing to undo.
/// </summary>
public sealed unsafe class TunDevice : IDisposable
{
    private int _fd;

    private TunDevice(int fd, string name)
    {
        _fd = fd;
        Name = name;
    }

    /// <summary>The interface name the kernel gave the device.</summary>
    public string Name { get; }

    /// <summary>Creates (or attaches to) the TUN device <paramref name="name"/> in the caller's network namespace.</summary>
    /// <exception cref="LinuxException">/dev/net/tun cannot be opened or TUNSETIFF fails.</exception>
    public static TunDevice Create(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        byte[] nameBytes = Encoding.ASCII.GetBytes(name);
        if (nameBytes.Length >= Tun.IFNAMSIZ)
        {
            throw new ArgumentException($"interface name longer than {Tun.IFNAMSIZ - 1} bytes: {name}", nameof(name));
        }

        int fd = Packet.Open("/dev/net/tun", Tun.O_RDWR | Packet.O_CLOEXEC);
        if (fd < 0)
        {
            throw LinuxException.FromLast("open(/dev/net/tun)");
        }

        var req = default(Tun.IfReq);
        for (int i = 0; i < nameBytes.Length; i++)
        {
            req.Name[i] = nameBytes[i];
        }

        req.Flags = Tun.IFF_TUN | Tun.IFF_NO_PI;
        if (Libc.Ioctl(fd, Tun.TUNSETIFF, &req) != 0)
        {
            var failure = LinuxException.FromLast($"ioctl(TUNSETIFF, {name})");
            _ = Libc.Close(fd);
            throw failure;
        }

        int length = 0;
        while (length < Tun.IFNAMSIZ && req.Name[length] != 0)
        {
            length++;
        }

        return new TunDevice(fd, Encoding.ASCII.GetString(req.Name, length));
    }

    /// <summary>
    /// Injects one packet. Returns false with the errno when the kernel refuses it (e.g. EIO while
    /// the device is down, EINVAL for a packet it cannot parse). Allocates nothing.
    /// </summary>
    public bool TryWrite(ReadOnlySpan<byte> packet, out int errno)
    {
        fixed (byte* p = packet)
        {
            nint written = Packet.Write(_fd, p, (nuint)packet.Length);
            errno = written < 0 ? Errno.Last : 0;
            return written == packet.Length;
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
}
