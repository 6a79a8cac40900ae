namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>Sizing of an <see cref="XskSocket"/>: its UMEM and its four rings.</summary>
public sealed record XskOptions
{
    /// <summary>
    /// UMEM chunk size, 2048 or 4096 (one frame per chunk; the kernel's copy puts the frame 256
    /// bytes in, XDP_PACKET_HEADROOM, so a 2048 chunk takes frames up to 1792 bytes).
    /// </summary>
    public int FrameSize { get; init; } = 4096;

    /// <summary>Frames in the UMEM, a power of two: half feeds the fill ring, half is for transmit.</summary>
    public int FrameCount { get; init; } = 4096;

    /// <summary>Entries of each ring (rx, tx, fill, completion), a power of two, at most FrameCount / 2.</summary>
    public int RingSize { get; init; } = 2048;

    /// <summary>Ask for XDP_USE_NEED_WAKEUP (fewer syscalls); dropped silently when the kernel refuses it.</summary>
    public bool NeedWakeup { get; init; } = true;

    /// <summary>
    /// Recognise partial TCP/UDP checksums on receive and report them as NEEDS_CSUM in
    /// <see cref="FrameInfo.Vnet"/> (see <see cref="XskChecksum"/>).
    /// </summary>
    public bool InferPartialChecksums { get; init; } = true;

    /// <summary>How many times <see cref="XskSocket.Flush"/> kicks the kernel before counting the rest as dropped.</summary>
    public int MaxKicks { get; init; } = 64;

    internal void Validate()
    {
        if (FrameSize is not (2048 or 4096))
        {
            throw new ArgumentOutOfRangeException(nameof(FrameSize), FrameSize, "must be 2048 or 4096");
        }

        if (FrameCount < 64 || FrameCount > 1 << 20 || !int.IsPow2(FrameCount))
        {
            throw new ArgumentOutOfRangeException(nameof(FrameCount), FrameCount, "must be a power of two, 64..1M");
        }

        if (RingSize < 32 || RingSize > FrameCount / 2 || !int.IsPow2(RingSize))
        {
            throw new ArgumentOutOfRangeException(nameof(RingSize), RingSize, "must be a power of two, 32..FrameCount/2");
        }

        if (MaxKicks < 1 || MaxKicks > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxKicks), MaxKicks, "must be 1..10000");
        }
    }
}

/// <summary>An <see cref="XskSocket"/>'s counters: ours, and the kernel's XDP_STATISTICS.</summary>
/// <param name="RxFrames">Frames handed to handlers.</param>
/// <param name="TxFrames">Frames the kernel took from the tx ring.</param>
/// <param name="TxBytes">Bytes of the frames queued for transmit.</param>
/// <param name="TxDroppedNoFrame">Frames not sent: no free UMEM frame or tx ring slot, or the kernel stayed busy past the kicks.</param>
/// <param name="TxDroppedTooBig">Frames larger than a UMEM frame.</param>
/// <param name="TxDroppedMalformed">Frames whose NEEDS_CSUM offsets did not fit them.</param>
/// <param name="RxDropped">Kernel: frames dropped for lack of a fill-ring frame or too big for a chunk.</param>
/// <param name="RxRingFull">Kernel: frames dropped because the rx ring was full.</param>
/// <param name="RxFillRingEmpty">Kernel: times the fill ring was empty.</param>
/// <param name="RxInvalidDescs">Kernel: invalid fill descriptors.</param>
/// <param name="TxInvalidDescs">Kernel: invalid tx descriptors.</param>
/// <param name="LastTxErrno">The last unexpected errno of a transmit kick (e.g. ENETDOWN), 0 if none.</param>
public readonly record struct XskStats(
    ulong RxFrames,
    ulong TxFrames,
    ulong TxBytes,
    ulong TxDroppedNoFrame,
    ulong TxDroppedTooBig,
    ulong TxDroppedMalformed,
    ulong RxDropped,
    ulong RxRingFull,
    ulong RxFillRingEmpty,
    ulong RxInvalidDescs,
    ulong TxInvalidDescs,
    int LastTxErrno);
