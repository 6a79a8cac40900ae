using System.Numerics;
using System.Runtime.InteropServices;
using Lvs.Linux.Interop;
using static Lvs.Linux.Interop.Packet;

namespace Lvs.Linux.PacketIO;

/// <summary>The mmap'd layout a ring asks the kernel for.</summary>
internal readonly record struct RingGeometry(int BlockSize, int BlockCount, int FrameSize)
{
    public static RingGeometry For(PacketRingOptions options)
    {
        if (options.Kind == RingKind.Blocks)
        {
            return new RingGeometry(options.BlockSize, options.BlockCount, PacketRingOptions.NominalFrameSize);
        }

        // Slots never straddle blocks: a block is a power of two of at least 64 KiB holding whole slots.
        int block = (int)Math.Max(65536u, BitOperations.RoundUpToPowerOf2((uint)options.FrameSize));
        int perBlock = block / options.FrameSize;
        int blocks = (options.FrameCount + perBlock - 1) / perBlock;
        return new RingGeometry(block, blocks, options.FrameSize);
    }
}

/// <summary>TPACKET_V2 reading: one slot per frame, handed over one by one.</summary>
public sealed unsafe partial class PacketRing
{
    // Room for a 64 KiB GSO frame with its virtio-net header, and BIG TCP frames up to 192 KiB.
    private const int CopyBufferSize = 192 << 10;

    private readonly int _frameSize;
    private readonly int _framesPerBlock;
    private readonly int _frameCount;
    private readonly byte[]? _copyBuffer;
    private int _frame;
    private ulong _copied;
    private ulong _copiesLost;

    /// <summary>
    /// <see cref="RingKind.Frames"/>: frames too big for a slot that were read whole from the
    /// socket queue, and those whose copy was missing (the receive buffer was full; handed on truncated).
    /// </summary>
    public (ulong Copied, ulong Lost) CopyCounts => (_copied, _copiesLost);

    private int DrainFrames<THandler>(ref THandler handler, int maxFrames)
        where THandler : struct, IFrameHandler
    {
        int handled = 0;
        while (handled < maxFrames)
        {
            int block = _frame / _framesPerBlock;
            int slot = _frame - (block * _framesPerBlock);
            var area = new Span<byte>((byte*)_map + ((nint)block * _blockSize) + ((nint)slot * _frameSize), _frameSize);
            ref TPacket2Hdr hdr = ref MemoryMarshal.AsRef<TPacket2Hdr>(area);

            // The acquire read orders the reads of the slot after it (the kernel's smp_wmb precedes the status).
            uint status = Volatile.Read(ref hdr.Status);
            if ((status & TP_STATUS_USER) == 0)
            {
                break;
            }

            _frame = _frame + 1 == _frameCount ? 0 : _frame + 1;
            handled++;
            try
            {
                Hand(area, ref hdr, status, ref handler);
            }
            finally
            {
                // The release write keeps our reads of the slot before the kernel may reuse it.
                Volatile.Write(ref hdr.Status, TP_STATUS_KERNEL);
            }
        }

        return handled;
    }

    private void Hand<THandler>(Span<byte> area, ref TPacket2Hdr hdr, uint status, ref THandler handler)
        where THandler : struct, IFrameHandler
    {
        ref readonly var sll = ref MemoryMarshal.AsRef<SockAddrLl>(area[TPACKET2_SOCKADDR_OFFSET..]);
        int mac = hdr.Mac;
        var info = FrameInfo.FromRing(sll, status, hdr.Length, hdr.SnapLength, hdr.VlanTci, hdr.Sec, hdr.Nsec);

        if ((status & TP_STATUS_COPY) != 0 && ReadCopy(out int length))
        {
            // The whole frame, as recv returns it: virtio-net header, then the Ethernet frame.
            var copy = _copyBuffer.AsSpan(0, length);
            info.Vnet = MemoryMarshal.Read<VirtioNetHeader>(copy);
            info.Truncated = false;
            info.WireLength = length - VirtioNetHeader.Size;
            handler.OnFrame(copy[VirtioNetHeader.Size..], ref info);
            return;
        }

        if ((status & TP_STATUS_COPY) != 0 || info.Truncated)
        {
            _copiesLost++;
        }

        info.Vnet = MemoryMarshal.Read<VirtioNetHeader>(area[(mac - VirtioNetHeader.Size)..mac]);
        handler.OnFrame(area.Slice(mac, (int)hdr.SnapLength), ref info);
    }

    /// <summary>Reads the next whole frame the kernel queued on the socket for a slot marked TP_STATUS_COPY.</summary>
    private bool ReadCopy(out int length)
    {
        fixed (byte* buffer = _copyBuffer)
        {
            nint n = Libc.Recv(_fd, buffer, CopyBufferSize, Libc.MSG_DONTWAIT | Tun.MSG_TRUNC);
            if (n < VirtioNetHeader.Size + 14 || n > CopyBufferSize)
            {
                length = 0;
                return false;
            }

            length = (int)n;
            _copied++;
            return true;
        }
    }

    private static void RequestFrameRing(int fd, RingGeometry geometry)
    {
        var req = new TPacketReq
        {
            BlockSize = (uint)geometry.BlockSize,
            BlockCount = (uint)geometry.BlockCount,
            FrameSize = (uint)geometry.FrameSize,
            FrameCount = (uint)(geometry.BlockSize / geometry.FrameSize * geometry.BlockCount),
        };
        if (Libc.SetSockOpt(fd, SOL_PACKET, PACKET_RX_RING, &req, (uint)sizeof(TPacketReq)) != 0)
        {
            throw LinuxException.FromLast("setsockopt(PACKET_RX_RING)");
        }
    }

    private static void SetReceiveBuffer(int fd, int bytes)
    {
        // SO_RCVBUFFORCE passes the rmem_max cap but needs CAP_NET_ADMIN; fall back to the capped one.
        if (Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, &bytes, sizeof(int)) != 0)
        {
            PacketSocket.SetInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, bytes, "SO_RCVBUF");
        }
    }
}
