using System.Runtime.InteropServices;
using Lvs.Linux.Interop;
using static Lvs.Linux.Interop.Packet;

namespace Lvs.Linux.PacketIO;

/// <summary>
/// Transmits Ethernet frames on one interface in batches: <see cref="TryEnqueue"/> copies a frame
/// and its <see cref="VirtioNetHeader"/> into a preallocated slot, <see cref="Flush"/> sends the
/// batch with one sendmmsg(2). The socket has PACKET_VNET_HDR on, so a frame forwarded with the
/// header it was received with keeps its offload: NEEDS_CSUM lets the kernel finish a partial
/// checksum, gso_type/gso_size let it segment a 64 KiB frame for a 1500-byte MTU. A frame with
/// neither (a zeroed header) goes out as is.
/// </summary>
/// <remarks>
/// A separate socket from the <see cref="PacketRing"/>, bound with protocol 0 so it receives
/// nothing. One thread owns a sender; it allocates nothing per frame.
/// </remarks>
public sealed unsafe class PacketSender : IDisposable
{
    private readonly int _slots;
    private readonly int _stride;
    private readonly int _maxFrame;
    private readonly int _maxRetries;
    private byte* _buffers;
    private Libc.IoVec* _iov;
    private Libc.MMsgHdr* _msgs;
    private SockAddrLl* _addrs;
    private int _fd;
    private int _count;

    private ulong _framesSent;
    private ulong _bytesSent;
    private ulong _droppedNoBuffers;
    private ulong _droppedTooBig;
    private ulong _droppedMalformed;
    private ulong _droppedOther;
    private int _lastErrno;

    private PacketSender(int fd, int ifIndex, string name, PacketSenderOptions options)
    {
        _fd = fd;
        IfIndex = ifIndex;
        Name = name;
        _slots = options.Slots;
        _maxFrame = options.MaxFrameLength;
        _maxRetries = options.MaxRetries;
        _stride = (VirtioNetHeader.Size + _maxFrame + 63) & ~63;

        _buffers = (byte*)NativeMemory.AlignedAlloc((nuint)_slots * (nuint)_stride, 64);
        _iov = (Libc.IoVec*)NativeMemory.AllocZeroed((nuint)_slots, (nuint)sizeof(Libc.IoVec));
        _msgs = (Libc.MMsgHdr*)NativeMemory.AllocZeroed((nuint)_slots, (nuint)sizeof(Libc.MMsgHdr));
        _addrs = (SockAddrLl*)NativeMemory.AllocZeroed((nuint)_slots, (nuint)sizeof(SockAddrLl));
        for (int i = 0; i < _slots; i++)
        {
            _iov[i].Base = _buffers + ((nint)i * _stride);
            _addrs[i].Family = Libc.AF_PACKET;
            _addrs[i].IfIndex = ifIndex;
            _msgs[i].Hdr.Iov = &_iov[i];
            _msgs[i].Hdr.IovLen = 1;
            _msgs[i].Hdr.Name = &_addrs[i];
            _msgs[i].Hdr.NameLen = (uint)sizeof(SockAddrLl);
        }
    }

    /// <summary>The socket's file descriptor.</summary>
    public int Fd => _fd;

    /// <summary>The interface's index in the namespace the sender was opened in.</summary>
    public int IfIndex { get; }

    /// <summary>The interface's name.</summary>
    public string Name { get; }

    /// <summary>Frames waiting for <see cref="Flush"/>.</summary>
    public int Queued => _count;

    /// <summary>Frames one batch holds.</summary>
    public int Capacity => _slots;

    /// <summary>Opens a sender on <paramref name="ifName"/> in the calling thread's network namespace.</summary>
    public static PacketSender Open(string ifName, PacketSenderOptions? options = null)
    {
        options ??= new PacketSenderOptions();
        options.Validate();
        int ifIndex = PacketSocket.IfIndexOf(ifName);
        int fd = PacketSocket.Open();
        try
        {
            PacketSocket.SetInt(fd, SOL_PACKET, PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
            if (options.QdiscBypass)
            {
                PacketSocket.SetInt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, 1, "PACKET_QDISC_BYPASS");
            }

            if (options.SendBufferBytes > 0)
            {
                SetSendBuffer(fd, options.SendBufferBytes);
            }

            PacketSocket.Bind(fd, ifIndex, 0);
            return new PacketSender(fd, ifIndex, ifName, options);
        }
        catch
        {
            PacketSocket.CloseQuietly(fd);
            throw;
        }
    }

    /// <summary>
    /// Copies <paramref name="frame"/> (an Ethernet frame) and <paramref name="vnet"/> into the next
    /// slot. Returns false only when the batch is full: flush and enqueue again. A frame that can
    /// never be sent (shorter than an Ethernet header, longer than a slot) is counted as dropped and
    /// consumed (true), so the caller's loop does not stall on it.
    /// </summary>
    public bool TryEnqueue(ReadOnlySpan<byte> frame, in VirtioNetHeader vnet)
    {
        if (_count == _slots)
        {
            return false;
        }

        if (frame.Length < 14)
        {
            _droppedMalformed++;
            return true;
        }

        if (frame.Length > _maxFrame)
        {
            _droppedTooBig++;
            return true;
        }

        byte* slot = _buffers + ((nint)_count * _stride);
        *(VirtioNetHeader*)slot = vnet;
        frame.CopyTo(new Span<byte>(slot + VirtioNetHeader.Size, frame.Length));
        _iov[_count].Length = (nuint)(VirtioNetHeader.Size + frame.Length);

        // sll_protocol becomes skb->protocol: the frame's own EtherType, copied in network order.
        _addrs[_count].Protocol = MemoryMarshal.Read<ushort>(frame[12..14]);
        _count++;
        return true;
    }

    /// <summary>
    /// Hands out the next slot to be written in place (a frame built straight into the transmit
    /// buffer, e.g. an encapsulated packet): returns an empty span when the batch is full (flush
    /// and ask again) or when <paramref name="length"/> cannot fit a slot. Nothing is queued until
    /// <see cref="Commit"/>.
    /// </summary>
    public Span<byte> Reserve(int length)
    {
        if (_count == _slots || length < 14 || length > _maxFrame)
        {
            return default;
        }

        byte* slot = _buffers + ((nint)_count * _stride);
        return new Span<byte>(slot + VirtioNetHeader.Size, length);
    }

    /// <summary>Queues the frame written into the span <see cref="Reserve"/> returned, <paramref name="length"/> bytes of it.</summary>
    public void Commit(int length, in VirtioNetHeader vnet)
    {
        if (_count == _slots || length < 14 || length > _maxFrame)
        {
            throw new InvalidOperationException("Commit without a matching Reserve");
        }

        byte* slot = _buffers + ((nint)_count * _stride);
        *(VirtioNetHeader*)slot = vnet;
        _iov[_count].Length = (nuint)(VirtioNetHeader.Size + length);
        _addrs[_count].Protocol = MemoryMarshal.Read<ushort>(new ReadOnlySpan<byte>(slot + VirtioNetHeader.Size + 12, 2));
        _count++;
    }

    /// <summary>
    /// Sends every queued frame, with as few sendmmsg calls as the kernel allows, and returns how
    /// many it accepted. A frame the kernel refuses is counted by errno class and skipped; when the
    /// socket stays out of buffer space (EAGAIN/ENOBUFS) after the configured retries, the rest of
    /// the batch is dropped and counted rather than blocking the worker. The batch is empty after.
    /// </summary>
    public int Flush()
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        int done = 0;
        int accepted = 0;
        int retries = 0;
        while (done < _count)
        {
            int n = Libc.SendMMsg(_fd, _msgs + done, (uint)(_count - done), Libc.MSG_DONTWAIT);
            if (n > 0)
            {
                for (int i = done; i < done + n; i++)
                {
                    _bytesSent += (ulong)_iov[i].Length - VirtioNetHeader.Size;
                }

                _framesSent += (ulong)n;
                accepted += n;
                done += n;
                retries = 0;
                continue;
            }

            int errno = Errno.Last;
            if (errno == Errno.EINTR)
            {
                continue;
            }

            if (errno is Errno.EAGAIN or Errno.ENOBUFS)
            {
                if (retries++ < _maxRetries)
                {
                    WaitWritable();
                    continue;
                }

                _lastErrno = errno;
                _droppedNoBuffers += (ulong)(_count - done);
                break;
            }

            // The error belongs to the first frame of the remaining batch: count it, skip it.
            _lastErrno = errno;
            switch (errno)
            {
                case Errno.EMSGSIZE:
                    _droppedTooBig++;
                    break;
                case Errno.EINVAL:
                    _droppedMalformed++;
                    break;
                default:
                    _droppedOther++;
                    break;
            }

            done++;
            retries = 0;
        }

        _count = 0;
        return accepted;
    }

    /// <summary>Drops the queued frames without sending them (not counted).</summary>
    public void Clear() => _count = 0;

    /// <summary>The counters since the sender was opened.</summary>
    public SenderStats ReadStatistics() => new(
        _framesSent, _bytesSent, _droppedNoBuffers, _droppedTooBig, _droppedMalformed, _droppedOther, _lastErrno);

    /// <summary>Closes the socket and frees the buffers; queued frames are discarded.</summary>
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    ~PacketSender() => Release();

    private void Release()
    {
        if (_fd < 0)
        {
            return;
        }

        _ = Libc.Close(_fd);
        _fd = -1;
        NativeMemory.AlignedFree(_buffers);
        NativeMemory.Free(_iov);
        NativeMemory.Free(_msgs);
        NativeMemory.Free(_addrs);
        _buffers = null;
        _iov = null;
        _msgs = null;
        _addrs = null;
    }

    private void WaitWritable()
    {
        var pfd = new Libc.PollFd { Fd = _fd, Events = Libc.POLLOUT };
        _ = Libc.Poll(&pfd, 1, 1);
    }

    private static void SetSendBuffer(int fd, int bytes)
    {
        // SO_SNDBUFFORCE passes the wmem_max cap but needs CAP_NET_ADMIN; fall back to the capped one.
        if (Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUFFORCE, &bytes, sizeof(int)) != 0)
        {
            PacketSocket.SetInt(fd, Libc.SOL_SOCKET, Libc.SO_SNDBUF, bytes, "SO_SNDBUF");
        }
    }
}
