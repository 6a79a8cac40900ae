using XdpAbi = Lvs.Linux.Interop.Xdp;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>
/// One of an AF_XDP socket's four single-producer single-consumer rings, mapped from the kernel:
/// a producer index, a consumer index, a flags word and a power-of-two array of entries (u64
/// addresses for fill/completion, struct xdp_desc for rx/tx). Indices run freely and wrap at 2^32;
/// entry = index &amp; mask. Our side caches its own index and publishes it with a release store
/// after the entries are written (or read); the kernel's index is read with an acquire load.
/// </summary>
internal unsafe struct XskRing
{
    public uint* Producer;
    public uint* Consumer;
    public uint* Flags;
    public byte* Entries;
    public uint Mask;
    public uint Size;
    public nint Map;
    public nuint MapLength;

    /// <summary>Our index: the producer for fill/tx, the consumer for rx/completion.</summary>
    public uint Local;

    public readonly bool NeedsWakeup => (Volatile.Read(ref *Flags) & XdpAbi.XDP_RING_NEED_WAKEUP) != 0;

    /// <summary>Entries the kernel produced that we have not consumed (rx, completion).</summary>
    public readonly uint Available => Volatile.Read(ref *Producer) - Local;

    /// <summary>Free slots we may produce into (fill, tx).</summary>
    public readonly uint Free => Size - (Local - Volatile.Read(ref *Consumer));

    public readonly ulong* Address(uint index) => (ulong*)Entries + (index & Mask);

    public readonly XdpAbi.Desc* Desc(uint index) => (XdpAbi.Desc*)Entries + (index & Mask);

    /// <summary>Publishes <see cref="Local"/> as the producer index (fill, tx).</summary>
    public readonly void PublishProducer() => Volatile.Write(ref *Producer, Local);

    /// <summary>Publishes <see cref="Local"/> as the consumer index (rx, completion).</summary>
    public readonly void PublishConsumer() => Volatile.Write(ref *Consumer, Local);
}
