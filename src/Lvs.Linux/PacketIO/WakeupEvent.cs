using Lvs.Linux.Interop;
using static Lvs.Linux.Interop.Packet;

namespace Lvs.Linux.PacketIO;

/// <summary>
/// An eventfd(2) another thread signals to wake a worker out of <see cref="PollSet.Wait"/>
/// (configuration swapped, shutdown). Signals coalesce: many <see cref="Signal"/> calls before a
/// <see cref="Reset"/> wake the worker once.
/// </summary>
public sealed unsafe class WakeupEvent : IDisposable
{
    private int _fd;

    /// <summary>Creates a non-blocking, close-on-exec eventfd.</summary>
    public WakeupEvent()
    {
        _fd = Packet.EventFd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (_fd < 0)
        {
            throw LinuxException.FromLast("eventfd");
        }
    }

    /// <summary>The descriptor to add to a <see cref="PollSet"/>.</summary>
    public int Fd => _fd;

    /// <summary>Makes the descriptor readable. Safe from any thread.</summary>
    public void Signal()
    {
        ulong one = 1;
        int fd = Volatile.Read(ref _fd);
        ObjectDisposedException.ThrowIf(fd < 0, this);

        // EAGAIN means the counter is at its maximum: the worker is already due to wake.
        if (Packet.Write(fd, &one, sizeof(ulong)) < 0 && Errno.Last is not (Errno.EAGAIN or Errno.EINTR))
        {
            throw LinuxException.FromLast("write(eventfd)");
        }
    }

    /// <summary>Consumes pending signals; returns true if there was one. Call from the woken worker.</summary>
    public bool Reset()
    {
        ulong value;
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        if (Packet.Read(_fd, &value, sizeof(ulong)) == sizeof(ulong))
        {
            return true;
        }

        int errno = Errno.Last;
        return errno is Errno.EAGAIN or Errno.EINTR ? false : throw new LinuxException("read(eventfd)", errno);
    }

    /// <summary>Closes the descriptor.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = Libc.Close(fd);
        }
    }
}
