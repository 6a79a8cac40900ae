namespace Lvs.Linux.PacketIO;

/// <summary>Sizing and behaviour of a <see cref="PacketSender"/>.</summary>
public sealed record PacketSenderOptions
{
    /// <summary>Frames one batch holds (one sendmmsg per <see cref="PacketSender.Flush"/>).</summary>
    public int Slots { get; init; } = 64;

    /// <summary>Largest Ethernet frame a slot takes: a 64 KiB GSO frame plus Ethernet and VLAN headers.</summary>
    public int MaxFrameLength { get; init; } = 65536 + 64;

    /// <summary>
    /// PACKET_QDISC_BYPASS: hand frames straight to the driver, skipping the qdisc layer (faster,
    /// but no traffic shaping and drops when the device queue is full).
    /// </summary>
    public bool QdiscBypass { get; init; }

    /// <summary>How often a batch that meets EAGAIN/ENOBUFS is retried (waiting up to 1 ms each) before its frame counts as dropped.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>
    /// SO_SNDBUF to ask for: GSO frames are big, and the default (~200 KiB) holds only a few of
    /// them in flight. Set with SO_SNDBUFFORCE when allowed. 0 keeps the system default.
    /// </summary>
    public int SendBufferBytes { get; init; } = 8 << 20;

    internal void Validate()
    {
        if (Slots < 1 || Slots > 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(Slots), Slots, "must be 1..1024");
        }

        if (MaxFrameLength < 64 || MaxFrameLength > 1 << 20)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFrameLength), MaxFrameLength, "must be 64 bytes..1 MiB");
        }

        if (MaxRetries < 0 || MaxRetries > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "must be 0..100");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(SendBufferBytes);
    }
}

/// <summary>A <see cref="PacketSender"/>'s counters since it was opened.</summary>
/// <param name="FramesSent">Frames the kernel accepted.</param>
/// <param name="BytesSent">Their bytes, Ethernet header included, virtio_net_hdr excluded.</param>
/// <param name="DroppedNoBuffers">Frames dropped after EAGAIN/ENOBUFS outlasted the retries.</param>
/// <param name="DroppedTooBig">Frames refused with EMSGSIZE (over the MTU without a GSO header) or over a slot.</param>
/// <param name="DroppedMalformed">Frames refused with EINVAL (e.g. a vnet header that does not fit the frame) or shorter than an Ethernet header.</param>
/// <param name="DroppedOther">Frames refused with any other errno (see <paramref name="LastErrno"/>).</param>
/// <param name="LastErrno">The last errno a send failed with, 0 if none.</param>
public readonly record struct SenderStats(
    ulong FramesSent,
    ulong BytesSent,
    ulong DroppedNoBuffers,
    ulong DroppedTooBig,
    ulong DroppedMalformed,
    ulong DroppedOther,
    int LastErrno);
