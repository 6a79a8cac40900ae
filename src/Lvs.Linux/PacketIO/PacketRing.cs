using Lvs.Linux.Interop;
using static Lvs.Linux.Interop.Packet;

namespace Lvs.Linux.PacketIO;

/// <summary>
/// Receives every frame of one interface through an AF_PACKET socket with a memory-mapped
/// ring: TPACKET_V2 slots (<see cref="RingKind.Frames"/>, the default) or TPACKET_V3 blocks
/// (<see cref="RingKind.Blocks"/>). Bound with ETH_P_ALL, because a socket bound to ETH_P_IP no longer sees a
/// frame that a netdev ingress rule drops, and we steer VIP traffic away from the kernel with such
/// rules. PACKET_VNET_HDR puts a <see cref="VirtioNetHeader"/> before each frame, so partial
/// checksums and GSO frames (up to 64 KiB) can be forwarded with their offload intact.
/// PACKET_IGNORE_OUTGOING hides our own transmissions.
/// </summary>
/// <remarks>
/// One thread owns a ring: <see cref="Drain{THandler}"/> is not thread-safe. The socket is
/// non-blocking; wait for it with <see cref="PollSet"/> (readable when a frame, or with
/// <see cref="RingKind.Blocks"/> a block, is ready).
/// </remarks>
public sealed unsafe partial class PacketRing : IDisposable
{
    private readonly int _blockSize;
    private readonly int _blockCount;
    private readonly RingKind _kind;
    private nint _map;
    private int _fd;
    private int _block;
    private bool _inBlock;
    private BlockCursor _cursor;
    private ulong _packets;
    private ulong _drops;
    private ulong _freezes;

    private PacketRing(int fd, int ifIndex, string name, nint map, PacketRingOptions options, RingGeometry geometry)
    {
        _fd = fd;
        IfIndex = ifIndex;
        Name = name;
        _map = map;
        _kind = options.Kind;
        _blockSize = geometry.BlockSize;
        _blockCount = geometry.BlockCount;
        _frameSize = geometry.FrameSize;
        _framesPerBlock = geometry.BlockSize / geometry.FrameSize;
        _frameCount = _framesPerBlock * geometry.BlockCount;
        if (_kind == RingKind.Frames)
        {
            _copyBuffer = GC.AllocateUninitializedArray<byte>(CopyBufferSize, pinned: true);
        }
    }

    /// <summary>The ring's layout.</summary>
    public RingKind Kind => _kind;

    /// <summary>The socket's file descriptor, for polling.</summary>
    public int Fd => _fd;

    /// <summary>The interface's index in the namespace the ring was opened in.</summary>
    public int IfIndex { get; }

    /// <summary>The interface's name.</summary>
    public string Name { get; }

    /// <summary>
    /// Opens a ring on <paramref name="ifName"/> in the calling thread's network namespace.
    /// Throws <see cref="LinuxException"/> (EPERM without CAP_NET_RAW, ENODEV for no such interface).
    /// </summary>
    public static PacketRing Open(string ifName, PacketRingOptions? options = null)
    {
        options ??= new PacketRingOptions();
        options.Validate();
        int ifIndex = PacketSocket.IfIndexOf(ifName);
        int fd = PacketSocket.Open();
        nint map = Libc.MAP_FAILED;
        RingGeometry geometry = RingGeometry.For(options);
        nuint length = (nuint)geometry.BlockSize * (nuint)geometry.BlockCount;
        try
        {
            // The version and these options must precede PACKET_RX_RING: the kernel refuses them once a ring exists.
            bool frames = options.Kind == RingKind.Frames;
            PacketSocket.SetInt(fd, SOL_PACKET, PACKET_VERSION, frames ? TPACKET_V2 : TPACKET_V3, "PACKET_VERSION");
            PacketSocket.SetInt(fd, SOL_PACKET, PACKET_VNET_HDR, 1, "PACKET_VNET_HDR");
            PacketSocket.SetInt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING");
            if (frames)
            {
                // A frame bigger than a slot is queued whole on the socket (TP_STATUS_COPY in its
                // slot) while the receive buffer has room: room for many 64 KiB GSO frames.
                PacketSocket.SetInt(fd, SOL_PACKET, PACKET_COPY_THRESH, 1, "PACKET_COPY_THRESH");
                SetReceiveBuffer(fd, 32 << 20);
                RequestFrameRing(fd, geometry);
            }
            else
            {
                RequestBlockRing(fd, options);
            }

            map = Libc.Mmap(0, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
            if (map == Libc.MAP_FAILED)
            {
                throw LinuxException.FromLast("mmap(PACKET_RX_RING)");
            }

            // Bind last: only now does the socket start receiving, into a complete ring.
            PacketSocket.Bind(fd, ifIndex, ETH_P_ALL);
            return new PacketRing(fd, ifIndex, ifName, map, options, geometry);
        }
        catch
        {
            if (map != Libc.MAP_FAILED)
            {
                _ = Libc.Munmap(map, length);
            }

            PacketSocket.CloseQuietly(fd);
            throw;
        }
    }

    private static void RequestBlockRing(int fd, PacketRingOptions options)
    {
        var req = new TPacketReq3
        {
            BlockSize = (uint)options.BlockSize,
            BlockCount = (uint)options.BlockCount,
            FrameSize = PacketRingOptions.NominalFrameSize,
            FrameCount = (uint)(options.BlockSize / PacketRingOptions.NominalFrameSize * options.BlockCount),
            RetireBlockTimeoutMs = (uint)options.RetireTimeoutMs,
        };
        if (Libc.SetSockOpt(fd, SOL_PACKET, PACKET_RX_RING, &req, (uint)sizeof(TPacketReq3)) != 0)
        {
            throw LinuxException.FromLast("setsockopt(PACKET_RX_RING)");
        }
    }

    /// <summary>
    /// Hands up to <paramref name="maxFrames"/> received frames to <paramref name="handler"/>, in
    /// arrival order, and returns how many it handed. Each block goes back to the kernel as soon as
    /// all its frames were handled; a block left part-way (maxFrames reached) is resumed by the next
    /// call. Allocates nothing.
    /// </summary>
    public int Drain<THandler>(ref THandler handler, int maxFrames)
        where THandler : struct, IFrameHandler
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        if (_kind == RingKind.Frames)
        {
            return DrainFrames(ref handler, maxFrames);
        }

        int handled = 0;
        while (handled < maxFrames)
        {
            var block = new Span<byte>((byte*)_map + ((nint)_block * _blockSize), _blockSize);
            if (!_inBlock)
            {
                if (!TPacketBlock.IsUserOwned(block))
                {
                    break;
                }

                _cursor = TPacketBlock.Open(block);
                _inBlock = true;
            }

            handled += TPacketBlock.Walk(block, ref _cursor, ref handler, maxFrames - handled, hasVnetHeader: true);
            if (_cursor.Remaining == 0)
            {
                TPacketBlock.Release(block);
                _inBlock = false;
                _block = _block + 1 == _blockCount ? 0 : _block + 1;
            }
        }

        return handled;
    }

    /// <summary>
    /// The kernel's counters, summed since the ring was opened (the kernel resets its own on
    /// every read, so call this from the thread that owns the ring).
    /// </summary>
    public RingStats ReadStatistics()
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);

        // tpacket_stats (V2) is the head of tpacket_stats_v3; the kernel copies only what the
        // ring's version has, so on a V2 ring FreezeQueueCount stays 0.
        TPacketStatsV3 stats = default;
        uint len = (uint)sizeof(TPacketStatsV3);
        if (Libc.GetSockOpt(_fd, SOL_PACKET, PACKET_STATISTICS, &stats, &len) != 0)
        {
            throw LinuxException.FromLast("getsockopt(PACKET_STATISTICS)");
        }

        _packets += stats.Packets;
        _drops += stats.Drops;
        _freezes += stats.FreezeQueueCount;
        return new RingStats(_packets, _drops, _freezes);
    }

    /// <summary>Unmaps the ring and closes the socket.</summary>
    public void Dispose()
    {
        Release();
        GC.SuppressFinalize(this);
    }

    // The ring is locked kernel memory: give it back even if the owner forgot to dispose.
    ~PacketRing() => Release();

    private void Release()
    {
        if (_fd < 0)
        {
            return;
        }

        _ = Libc.Munmap(_map, (nuint)_blockSize * (nuint)_blockCount);
        _map = 0;
        _ = Libc.Close(_fd);
        _fd = -1;
    }
}
