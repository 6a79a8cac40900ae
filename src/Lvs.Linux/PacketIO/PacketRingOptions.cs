namespace Lvs.Linux.PacketIO;

/// <summary>How a <see cref="PacketRing"/> lays out its receive ring.</summary>
public enum RingKind
{
    /// <summary>
    /// TPACKET_V2: fixed slots of <see cref="PacketRingOptions.FrameSize"/> bytes, each handed over
    /// (and the reader woken) as soon as the kernel filled it, so a frame waits for no timer. A
    /// frame too big for a slot (GSO/GRO super-frames) is queued whole on the socket and marked
    /// in its slot (TP_STATUS_COPY), so order is kept.
    /// </summary>
    Frames,

    /// <summary>
    /// TPACKET_V3: variable-size frames packed into blocks that are handed over when full or
    /// after <see cref="PacketRingOptions.RetireTimeoutMs"/>: dense, but under light load each
    /// frame waits up to that timeout (measured: ~1 ms per pass through the director).
    /// </summary>
    Blocks,
}

/// <summary>Sizing of a <see cref="PacketRing"/>'s receive ring.</summary>
public sealed record PacketRingOptions
{
    /// <summary>The ring's layout; frames (TPACKET_V2) by default, for latency.</summary>
    public RingKind Kind { get; init; } = RingKind.Frames;

    /// <summary>
    /// <see cref="RingKind.Frames"/>: bytes per slot, headers included (about 76 bytes of them
    /// with the virtio-net header), so 2048 holds a 1,500-byte MTU frame with a VLAN tag.
    /// </summary>
    public int FrameSize { get; init; } = 2048;

    /// <summary><see cref="RingKind.Frames"/>: slots in the ring (16 MiB with the default sizes).</summary>
    public int FrameCount { get; init; } = 8192;

    /// <summary>
    /// Bytes per block: a power of two, at least a page. A frame must fit in one block with its
    /// headers (else it is truncated), so GSO frames of 64 KiB need more than 64 KiB; 256 KiB holds three.
    /// </summary>
    public int BlockSize { get; init; } = 256 << 10;

    /// <summary>
    /// Number of blocks; the ring is BlockSize x BlockCount bytes (16 MiB by default). Under light
    /// load each block retires after <see cref="RetireTimeoutMs"/> holding only a frame or two, so
    /// the block count, not the bytes, bounds how long a consumer may stall before the kernel
    /// drops frames: many smaller blocks beat few big ones.
    /// </summary>
    public int BlockCount { get; init; } = 64;

    /// <summary>
    /// tp_retire_blk_tov: how long the kernel fills a block before handing it over anyway. Under light
    /// load a frame waits up to this long, so keep it small for latency.
    /// </summary>
    public int RetireTimeoutMs { get; init; } = 1;

    /// <summary>Frames at most per block; only checked by the kernel for V3 (tp_frame_size).</summary>
    internal const int NominalFrameSize = 2048;

    internal void Validate()
    {
        if (FrameSize < 256 || FrameSize > 65536 || FrameSize % 16 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(FrameSize), FrameSize, "must be 256..65536 and a multiple of 16");
        }

        if (FrameCount < 16 || (long)FrameSize * FrameCount > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(FrameCount), FrameCount, "must be at least 16 and the ring under 2 GiB");
        }

        if (BlockSize < 4096 || (BlockSize & (BlockSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(BlockSize), BlockSize, "must be a power of two of at least 4096");
        }

        if (BlockCount < 2 || (long)BlockSize * BlockCount > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(BlockCount), BlockCount, "must be at least 2 and the ring under 2 GiB");
        }

        if (RetireTimeoutMs < 1 || RetireTimeoutMs > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(RetireTimeoutMs), RetireTimeoutMs, "must be 1..1000 ms");
        }
    }
}

/// <summary>PACKET_STATISTICS of a ring, summed since it was opened.</summary>
/// <param name="Packets">Frames the socket saw, including dropped ones (tp_packets).</param>
/// <param name="Drops">Frames dropped because the ring was full or a frame could not be stored (tp_drops).</param>
/// <param name="FreezeQueueCount">Times the ring froze because every block was with user space (tp_freeze_q_cnt).</param>
public readonly record struct RingStats(ulong Packets, ulong Drops, ulong FreezeQueueCount);
