using Lvs.Linux.Interop;
using XdpAbi = Lvs.Linux.Interop.Xdp;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>
/// An AF_XDP socket on one rx queue of one interface, in copy mode: frames our XDP program
/// redirects land in its UMEM (<see cref="Drain{THandler}"/>), and frames written into the UMEM
/// go out on the same interface (<see cref="Reserve"/>/<see cref="Commit"/>/<see cref="Flush"/>).
/// The UMEM is one anonymous mapping of <see cref="XskOptions.FrameCount"/> chunks shared by both
/// directions: received frames go straight back to the fill ring after their handler returns;
/// transmit frames come from a free list that the completion ring refills.
/// </summary>
/// <remarks>
/// Copy mode carries no offload metadata: unlike <see cref="PacketRing"/> there is no
/// virtio_net_hdr, and a frame from a local sender (veth) carries a partial TCP/UDP checksum with
/// nothing saying so. <see cref="XskChecksum"/> recognises those and <see cref="Drain{THandler}"/>
/// describes them with a NEEDS_CSUM <see cref="FrameInfo.Vnet"/>, which the enqueue methods
/// honour by finishing the checksum in software, as PacketSender's kernel would. One thread owns a
/// socket. The socket must also be placed in the program's XSKMAP
/// (<see cref="XdpRedirectProgram.SetSocket"/>) before frames arrive.
/// </remarks>
public sealed unsafe partial class XskSocket : IDisposable
{
    private readonly int _frameSize;
    private readonly int _frameCount;
    private readonly int _maxKicks;
    private readonly bool _inferChecksums;
    private int _fd;
    private nint _umem;
    private XskRing _rx;
    private XskRing _tx;
    private XskRing _fill;
    private XskRing _completion;

    private XskSocket(int fd, int ifIndex, string name, int queue, XskOptions options, nint umem)
    {
        _fd = fd;
        IfIndex = ifIndex;
        Name = name;
        QueueId = queue;
        _frameSize = options.FrameSize;
        _frameCount = options.FrameCount;
        _maxKicks = options.MaxKicks;
        _inferChecksums = options.InferPartialChecksums;
        _umem = umem;
        _freeFrames = new ulong[options.FrameCount];
    }

    /// <summary>The socket's file descriptor: poll it for POLLIN; put it in the XSKMAP.</summary>
    public int Fd => _fd;

    /// <summary>The interface's index.</summary>
    public int IfIndex { get; }

    /// <summary>The interface's name.</summary>
    public string Name { get; }

    /// <summary>The rx queue the socket is bound to.</summary>
    public int QueueId { get; }

    /// <summary>True when the kernel took XDP_USE_NEED_WAKEUP.</summary>
    public bool UsesNeedWakeup { get; private set; }

    /// <summary>The largest frame a UMEM chunk holds for transmit.</summary>
    public int MaxFrameLength => _frameSize;

    /// <summary>
    /// Opens a socket on <paramref name="ifName"/>'s rx queue <paramref name="queue"/> in the calling
    /// thread's network namespace. Throws <see cref="LinuxException"/>: EAFNOSUPPORT without AF_XDP,
    /// EPERM without CAP_NET_RAW, EINVAL for a queue the interface lacks.
    /// </summary>
    public static XskSocket Open(string ifName, int queue = 0, XskOptions? options = null)
    {
        options ??= new XskOptions();
        options.Validate();
        int ifIndex = PacketSocket.IfIndexOf(ifName);
        int fd = Libc.Socket(XdpAbi.AF_XDP, Libc.SOCK_RAW | Libc.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw LinuxException.FromLast("socket(AF_XDP)");
        }

        nuint umemLength = (nuint)options.FrameSize * (nuint)options.FrameCount;
        nint umem = Libc.Mmap(0, umemLength, Libc.PROT_READ | Libc.PROT_WRITE, XdpAbi.MAP_PRIVATE | XdpAbi.MAP_ANONYMOUS | XdpAbi.MAP_POPULATE, -1, 0);
        if (umem == Libc.MAP_FAILED)
        {
            int errno = Errno.Last;
            _ = Libc.Close(fd);
            throw new LinuxException("mmap(UMEM)", errno);
        }

        var socket = new XskSocket(fd, ifIndex, ifName, queue, options, umem);
        try
        {
            socket.Setup(options);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Our counters and the kernel's XDP_STATISTICS.</summary>
    public XskStats ReadStatistics()
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        XdpAbi.Statistics k;
        uint len = (uint)sizeof(XdpAbi.Statistics);
        if (Libc.GetSockOpt(_fd, XdpAbi.SOL_XDP, XdpAbi.XDP_STATISTICS, &k, &len) != 0)
        {
            throw LinuxException.FromLast("getsockopt(XDP_STATISTICS)");
        }

        return new XskStats(
            _rxFrames, _txFrames, _txBytes, _txDroppedNoFrame, _txDroppedTooBig, _txDroppedMalformed,
            k.RxDropped, k.RxRingFull, k.RxFillRingEmptyDescs, k.RxInvalidDescs, k.TxInvalidDescs, _lastErrno);
    }

    /// <summary>Closes the socket (the kernel drops it from the XSKMAP) and unmaps the rings and the UMEM.</summary>
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    ~XskSocket() => Release();

    private void Release()
    {
        if (_fd < 0)
        {
            return;
        }

        Unmap(ref _rx);
        Unmap(ref _tx);
        Unmap(ref _fill);
        Unmap(ref _completion);
        _ = Libc.Close(_fd);
        _fd = -1;
        if (_umem != 0)
        {
            _ = Libc.Munmap(_umem, (nuint)_frameSize * (nuint)_frameCount);
            _umem = 0;
        }
    }

    private static void Unmap(ref XskRing ring)
    {
        if (ring.Map != 0)
        {
            _ = Libc.Munmap(ring.Map, ring.MapLength);
            ring = default;
        }
    }

    private void Setup(XskOptions options)
    {
        var reg = new XdpAbi.UmemReg
        {
            Addr = (ulong)_umem,
            Len = (ulong)options.FrameSize * (ulong)options.FrameCount,
            ChunkSize = (uint)options.FrameSize,
        };
        if (Libc.SetSockOpt(_fd, XdpAbi.SOL_XDP, XdpAbi.XDP_UMEM_REG, &reg, (uint)sizeof(XdpAbi.UmemReg)) != 0)
        {
            throw LinuxException.FromLast("setsockopt(XDP_UMEM_REG)");
        }

        int size = options.RingSize;
        SetRingSize(XdpAbi.XDP_UMEM_FILL_RING, size, "XDP_UMEM_FILL_RING");
        SetRingSize(XdpAbi.XDP_UMEM_COMPLETION_RING, size, "XDP_UMEM_COMPLETION_RING");
        SetRingSize(XdpAbi.XDP_RX_RING, size, "XDP_RX_RING");
        SetRingSize(XdpAbi.XDP_TX_RING, size, "XDP_TX_RING");

        XdpAbi.MmapOffsets off;
        uint len = (uint)sizeof(XdpAbi.MmapOffsets);
        if (Libc.GetSockOpt(_fd, XdpAbi.SOL_XDP, XdpAbi.XDP_MMAP_OFFSETS, &off, &len) != 0)
        {
            throw LinuxException.FromLast("getsockopt(XDP_MMAP_OFFSETS)");
        }

        _fill = MapRing(off.Fill, size, sizeof(ulong), XdpAbi.XDP_UMEM_PGOFF_FILL_RING, "fill");
        _completion = MapRing(off.Completion, size, sizeof(ulong), XdpAbi.XDP_UMEM_PGOFF_COMPLETION_RING, "completion");
        _rx = MapRing(off.Rx, size, sizeof(XdpAbi.Desc), XdpAbi.XDP_PGOFF_RX_RING, "rx");
        _tx = MapRing(off.Tx, size, sizeof(XdpAbi.Desc), XdpAbi.XDP_PGOFF_TX_RING, "tx");

        // The first RingSize frames feed the fill ring; the rest are for transmit.
        for (int i = 0; i < size; i++)
        {
            *_fill.Address(_fill.Local++) = (ulong)i * (ulong)_frameSize;
        }

        _fill.PublishProducer();
        for (int i = _frameCount - 1; i >= size; i--)
        {
            _freeFrames[_freeCount++] = (ulong)i * (ulong)_frameSize;
        }

        Bind(options.NeedWakeup);
    }

    private void Bind(bool needWakeup)
    {
        var addr = new XdpAbi.SockAddrXdp
        {
            Family = XdpAbi.AF_XDP,
            Flags = (ushort)(XdpAbi.XDP_COPY | (needWakeup ? XdpAbi.XDP_USE_NEED_WAKEUP : 0)),
            IfIndex = (uint)IfIndex,
            QueueId = (uint)QueueId,
        };
        if (Libc.Bind(_fd, &addr, (uint)sizeof(XdpAbi.SockAddrXdp)) == 0)
        {
            UsesNeedWakeup = needWakeup;
            return;
        }

        int errno = Errno.Last;
        if (needWakeup && errno == Errno.EINVAL)
        {
            // Kernels before 5.4 know no XDP_USE_NEED_WAKEUP: kick on every flush instead.
            Bind(needWakeup: false);
            return;
        }

        throw new LinuxException($"bind(AF_XDP {Name} queue {QueueId})", errno);
    }

    private void SetRingSize(int option, int size, string what)
    {
        if (Libc.SetSockOpt(_fd, XdpAbi.SOL_XDP, option, &size, sizeof(int)) != 0)
        {
            throw LinuxException.FromLast($"setsockopt({what})");
        }
    }

    private XskRing MapRing(XdpAbi.RingOffset off, int size, int entrySize, long pageOffset, string what)
    {
        nuint length = (nuint)(off.Desc + ((ulong)size * (ulong)entrySize));
        nint map = Libc.Mmap(0, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | XdpAbi.MAP_POPULATE, _fd, (nint)pageOffset);
        if (map == Libc.MAP_FAILED)
        {
            throw LinuxException.FromLast($"mmap({what} ring)");
        }

        byte* b = (byte*)map;
        return new XskRing
        {
            Producer = (uint*)(b + off.Producer),
            Consumer = (uint*)(b + off.Consumer),
            Flags = (uint*)(b + off.Flags),
            Entries = b + off.Desc,
            Mask = (uint)size - 1,
            Size = (uint)size,
            Map = map,
            MapLength = length,
        };
    }
}
