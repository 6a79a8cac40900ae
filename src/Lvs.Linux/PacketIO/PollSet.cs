using System.Runtime.InteropServices;
using Lvs.Linux.Interop;
using static Lvs.Linux.Interop.Packet;

namespace Lvs.Linux.PacketIO;

/// <summary>
/// A worker's wait: poll(2) over a fixed set of descriptors (its rings, netlink, a
/// <see cref="WakeupEvent"/>). Register descriptors once with <see cref="Add"/>, then loop
/// <see cref="Wait"/> / <see cref="IsReadable"/>; neither allocates. Not thread-safe: one owner.
/// The set does not own the descriptors and never closes them.
/// </summary>
public sealed unsafe class PollSet : IDisposable
{
    private Libc.PollFd* _fds;
    private int _capacity;
    private int _count;

    /// <summary>Creates an empty set with room for <paramref name="capacity"/> descriptors (it grows if needed).</summary>
    public PollSet(int capacity = 8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _fds = (Libc.PollFd*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)sizeof(Libc.PollFd));
    }

    /// <summary>Descriptors in the set.</summary>
    public int Count => _count;

    /// <summary>Adds a descriptor to wait on for input and returns its index for <see cref="IsReadable"/>.</summary>
    public int Add(int fd)
    {
        ObjectDisposedException.ThrowIf(_fds == null, this);
        ArgumentOutOfRangeException.ThrowIfNegative(fd);
        if (_count == _capacity)
        {
            _capacity *= 2;
            _fds = (Libc.PollFd*)NativeMemory.Realloc(_fds, (nuint)_capacity * (nuint)sizeof(Libc.PollFd));
        }

        _fds[_count] = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
        return _count++;
    }

    /// <summary>
    /// Waits until a descriptor is readable or <paramref name="timeoutMs"/> passes (-1: forever, 0: just look).
    /// Returns how many descriptors are ready, 0 on timeout or when a signal interrupted the wait.
    /// </summary>
    public int Wait(int timeoutMs)
    {
        ObjectDisposedException.ThrowIf(_fds == null, this);
        for (int i = 0; i < _count; i++)
        {
            _fds[i].Revents = 0;
        }

        int n = Libc.Poll(_fds, (nuint)_count, timeoutMs);
        if (n >= 0)
        {
            return n;
        }

        int errno = Errno.Last;
        if (errno == Errno.EINTR)
        {
            return 0;
        }

        throw new LinuxException("poll", errno);
    }

    /// <summary>
    /// True when the last <see cref="Wait"/> found descriptor <paramref name="index"/> readable, or in
    /// error or hung up: either way a read on it will not block and tells what happened.
    /// </summary>
    public bool IsReadable(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return (_fds[index].Revents & (Libc.POLLIN | Libc.POLLERR | POLLHUP)) != 0;
    }

    /// <summary>True when the last <see cref="Wait"/> found descriptor <paramref name="index"/> not open (POLLNVAL).</summary>
    public bool IsInvalid(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return (_fds[index].Revents & POLLNVAL) != 0;
    }

    /// <summary>Frees the set (not the descriptors).</summary>
    public void Dispose()
    {
        if (_fds != null)
        {
            NativeMemory.Free(_fds);
            _fds = null;
            _count = 0;
        }

        GC.SuppressFinalize(this);
    }

    ~PollSet()
    {
        if (_fds != null)
        {
            NativeMemory.Free(_fds);
        }
    }
}
