using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Lvs.Linux.Interop;

namespace Lvs.Linux.Tunnel;

/// <summary>
/// The receiving end of a tunnel, drained in batches with recvmmsg(2) into buffers allocated once:
/// <list type="bullet">
/// <item><see cref="OpenRaw"/>: socket(AF_INET, SOCK_RAW, IPPROTO_IPIP or IPPROTO_GRE). Every read
/// starts with the outer IPv4 header. Holding it open also keeps the kernel from answering the
/// tunnelled packets with ICMP protocol-unreachable.</item>
/// <item><see cref="OpenRaw6"/>: socket(AF_INET6, SOCK_RAW, 41 or 4). Unlike AF_INET, an IPv6 raw
/// socket reads only what follows the outer IPv6 header and its extension headers (RFC 3542 §3,
/// seen on kernel 6.18), so every read starts with the inner packet.</item>
/// <item><see cref="OpenUdp"/>: a UDP socket bound to the GUE port. Every read is the UDP payload
/// (the GUE header onwards); the kernel has already checked the UDP checksum.</item>
/// </list>
/// Not thread-safe: one thread calls <see cref="Receive"/> and reads <see cref="Packet"/>.
/// </summary>
public sealed unsafe class TunnelSocket : IDisposable
{
    /// <summary>Large enough for any IPv4 datagram, so no read is cut short.</summary>
    public const int DefaultBufferSize = 65536;

    private readonly int _batch;
    private readonly int _bufferSize;
    private readonly byte* _buffers;
    private readonly Libc.IoVec* _iov;
    private readonly Libc.MMsgHdr* _msgs;
    private int _fd;
    private int _received;

    private TunnelSocket(int fd, int batch, int bufferSize)
    {
        _fd = fd;
        _batch = batch;
        _bufferSize = bufferSize;
        _buffers = (byte*)NativeMemory.AlignedAlloc((nuint)(batch * bufferSize), 64);
        _iov = (Libc.IoVec*)NativeMemory.AllocZeroed((nuint)(batch * sizeof(Libc.IoVec)));
        _msgs = (Libc.MMsgHdr*)NativeMemory.AllocZeroed((nuint)(batch * sizeof(Libc.MMsgHdr)));
        for (int i = 0; i < batch; i++)
        {
            _iov[i].Base = _buffers + ((long)i * bufferSize);
            _iov[i].Length = (nuint)bufferSize;
            _msgs[i].Hdr.Iov = &_iov[i];
            _msgs[i].Hdr.IovLen = 1;
        }
    }

    /// <summary>Reads cut short because they did not fit a buffer (MSG_TRUNC); never delivered by <see cref="Packet"/>.</summary>
    public long Truncated { get; private set; }

    /// <summary>Opens a raw IPv4 socket for IP protocol <paramref name="protocol"/> (4 = IPIP, 47 = GRE).</summary>
    /// <exception cref="LinuxException">socket(2) fails (EPERM without CAP_NET_RAW).</exception>
    public static TunnelSocket OpenRaw(int protocol, int batch = 32, int bufferSize = DefaultBufferSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        int fd = Libc.Socket(Libc.AF_INET, Libc.SOCK_RAW | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            throw LinuxException.FromLast($"socket(AF_INET, SOCK_RAW, {protocol})");
        }

        SetReceiveBuffer(fd);
        return new TunnelSocket(fd, batch, bufferSize);
    }

    /// <summary>
    /// Opens a raw IPv6 socket for next header <paramref name="protocol"/> (41 = IPv6 in IPv6,
    /// 4 = IPv4 in IPv6). Reads start with the inner packet: the kernel strips the outer header.
    /// </summary>
    /// <exception cref="LinuxException">socket(2) fails (EPERM without CAP_NET_RAW, EAFNOSUPPORT without IPv6).</exception>
    public static TunnelSocket OpenRaw6(int protocol, int batch = 32, int bufferSize = DefaultBufferSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        int fd = Libc.Socket(Libc.AF_INET6, Libc.SOCK_RAW | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, protocol);
        if (fd < 0)
        {
            throw LinuxException.FromLast($"socket(AF_INET6, SOCK_RAW, {protocol})");
        }

        SetReceiveBuffer(fd);
        return new TunnelSocket(fd, batch, bufferSize);
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> until one of <paramref name="sockets"/> (at most 16)
    /// has data; <paramref name="ready"/>[i] then says whether socket i has. Returns how many are
    /// ready (0 on timeout or signal). Follow with <see cref="Receive"/>(0) on the ready ones.
    /// Allocates nothing.
    /// </summary>
    /// <exception cref="LinuxException">poll(2) fails for another reason than EINTR.</exception>
    public static int WaitAny(ReadOnlySpan<TunnelSocket> sockets, int timeoutMs, Span<bool> ready)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sockets.Length, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(ready.Length, sockets.Length);
        Libc.PollFd* fds = stackalloc Libc.PollFd[sockets.Length];
        for (int i = 0; i < sockets.Length; i++)
        {
            fds[i] = new Libc.PollFd { Fd = sockets[i]._fd, Events = Libc.POLLIN };
            ready[i] = false;
        }

        int n = Libc.Poll(fds, (nuint)sockets.Length, timeoutMs);
        if (n < 0)
        {
            int errno = Errno.Last;
            return errno == Errno.EINTR ? 0 : throw new LinuxException("poll(tunnel sockets)", errno);
        }

        for (int i = 0; i < sockets.Length; i++)
        {
            ready[i] = fds[i].Revents != 0;
        }

        return n;
    }

    /// <summary>Opens a UDP socket bound to 0.0.0.0:<paramref name="port"/>.</summary>
    /// <exception cref="LinuxException">socket(2) or bind(2) fails (EADDRINUSE when the port is taken).</exception>
    public static TunnelSocket OpenUdp(ushort port, int batch = 32, int bufferSize = DefaultBufferSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batch);
        int fd = Libc.Socket(Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_NONBLOCK | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw LinuxException.FromLast("socket(AF_INET, SOCK_DGRAM)");
        }

        var addr = new Tun.SockAddrIn
        {
            Family = Libc.AF_INET,
            Port = BinaryPrimitives.ReverseEndianness(port),
        };
        if (Libc.Bind(fd, &addr, (uint)sizeof(Tun.SockAddrIn)) != 0)
        {
            var failure = LinuxException.FromLast($"bind(udp port {port})");
            _ = Libc.Close(fd);
            throw failure;
        }

        SetReceiveBuffer(fd);
        return new TunnelSocket(fd, batch, bufferSize);
    }

    /// <summary>
    /// Waits up to <paramref name="timeoutMs"/> for data, then reads up to one batch without
    /// blocking. Returns how many packets <see cref="Packet"/> now holds (0 on timeout or signal).
    /// Allocates nothing.
    /// </summary>
    /// <exception cref="LinuxException">poll(2) or recvmmsg(2) fails for another reason than EINTR/EAGAIN.</exception>
    public int Receive(int timeoutMs)
    {
        _received = 0;
        var pfd = new Libc.PollFd { Fd = _fd, Events = Libc.POLLIN };
        int ready = Libc.Poll(&pfd, 1, timeoutMs);
        if (ready < 0)
        {
            int errno = Errno.Last;
            return errno == Errno.EINTR ? 0 : throw new LinuxException("poll(tunnel socket)", errno);
        }

        if (ready == 0)
        {
            return 0;
        }

        for (int i = 0; i < _batch; i++)
        {
            _msgs[i].Hdr.Flags = 0;
            _msgs[i].Len = 0;
        }

        int n = Tun.RecvMMsg(_fd, _msgs, (uint)_batch, Libc.MSG_DONTWAIT, null);
        if (n < 0)
        {
            int errno = Errno.Last;
            return errno is Errno.EINTR or Errno.EAGAIN ? 0 : throw new LinuxException("recvmmsg(tunnel socket)", errno);
        }

        for (int i = 0; i < n; i++)
        {
            if ((_msgs[i].Hdr.Flags & Tun.MSG_TRUNC) != 0)
            {
                Truncated++;
            }
        }

        _received = n;
        return n;
    }

    /// <summary>
    /// The <paramref name="index"/>th packet of the last <see cref="Receive"/>, writable in place;
    /// empty when it was truncated. Valid until the next Receive.
    /// </summary>
    public Span<byte> Packet(int index)
    {
        if ((uint)index >= (uint)_received)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return (_msgs[index].Hdr.Flags & Tun.MSG_TRUNC) != 0
            ? []
            : new Span<byte>(_buffers + ((long)index * _bufferSize), (int)_msgs[index].Len);
    }

    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _fd, -1);
        if (fd < 0)
        {
            return;
        }

        _ = Libc.Close(fd);
        NativeMemory.AlignedFree(_buffers);
        NativeMemory.Free(_iov);
        NativeMemory.Free(_msgs);
    }

    private static void SetReceiveBuffer(int fd)
    {
        // Bursts from a director arrive faster than one write per packet drains them; 4 MiB of
        // socket buffer rides out a scheduling delay. Best effort: the default still works.
        int size = 4 << 20;
        if (Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, &size, sizeof(int)) != 0)
        {
            _ = Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, &size, sizeof(int));
        }
    }
}
