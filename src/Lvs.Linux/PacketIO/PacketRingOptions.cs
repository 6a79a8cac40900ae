namespace Lvs.Linux.PacketIO;

/// <summary>Sizing of a <see cref="PacketRing"/>'s TPACKET_V3 receive ring.</summary>
public sealed record PacketRingOptions
{
    /// <summary>
    /// Bytes per block: a power of two, at least a page. A frame must fit in one block with its
    /// headers, so GSO frames of 64 KiB need well over 64 KiB; 1 MiB holds ~15 of them.
    /// </summary>
    public int BlockSize { get; init; } = 1 << 20;

    /// <summary>Number of blocks (the ring is BlockSize x BlockCount bytes of locked memory).</summary>
    public int BlockCount { get; init; } = 16;

    /// <summary>
    /// tp_retire_blk_tov: how long the kernel fills a block before handing it over anyway. Under light
    /// load a frame waits up to this long, so keep it small for latency.
    /// </summary>
    public int RetireTimeoutMs { get; init; } = 1;

    /// <summary>Frames at most per block; only checked by the kernel for V3 (tp_frame_size).</summary>
    internal const int NominalFrameSize = 2048;

    internal void Validate()
    {
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
