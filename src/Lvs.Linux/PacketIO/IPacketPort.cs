using Lvs.Linux.Netlink;

namespace Lvs.Linux.PacketIO;

/// <summary>
/// One served interface's packet I/O, as the worker uses it: batched receive into a struct
/// handler and batched transmit. Two implementations: <see cref="AfPacketPort"/> (a TPACKET_V3
/// ring and a sendmmsg sender, with nftables keeping steered traffic from the kernel) and
/// <see cref="Xdp.XdpPacketPort"/> (our XDP program redirecting steered traffic into AF_XDP sockets).
/// </summary>
/// <remarks>One thread owns a port. Nothing here allocates per frame.</remarks>
public interface IPacketPort : IDisposable
{
    /// <summary>The interface's name.</summary>
    string Name { get; }

    /// <summary>The interface's index.</summary>
    int IfIndex { get; }

    /// <summary>"packet" or "xdp-native" / "xdp-generic", for logs.</summary>
    string Kind { get; }

    /// <summary>File descriptors to poll for POLLIN (one per receive queue).</summary>
    IReadOnlyList<int> PollFds { get; }

    /// <summary>Frames queued for transmit and not yet flushed.</summary>
    int Queued { get; }

    /// <summary>Hands up to <paramref name="maxFrames"/> received frames to <paramref name="handler"/>; returns how many.</summary>
    int Drain<THandler>(ref THandler handler, int maxFrames)
        where THandler : struct, IFrameHandler;

    /// <summary>Copies a frame into the transmit batch (false: full, flush first). <paramref name="vnet"/> NEEDS_CSUM is honoured.</summary>
    bool TryEnqueue(ReadOnlySpan<byte> frame, in VirtioNetHeader vnet);

    /// <summary>A transmit slot to build a frame in (empty: full or too long; flush first).</summary>
    Span<byte> Reserve(int length);

    /// <summary>Queues the frame built in the span <see cref="Reserve"/> gave.</summary>
    void Commit(int length, in VirtioNetHeader vnet);

    /// <summary>Sends the batch; returns how many frames went.</summary>
    int Flush();

    /// <summary>
    /// Asks the kernel to resolve <paramref name="ipv4Address"/>'s MAC (the answer arrives as an
    /// rtnetlink neighbour event) and returns true, when ARP replies do not reach this port's
    /// receive path (XDP: ARP stays with the kernel). False when the caller should send its own
    /// ARP request through the port and learn the reply from the frames it receives.
    /// </summary>
    bool RequestNeighbourFromKernel(uint ipv4Address);

    /// <summary>
    /// <see cref="RequestNeighbourFromKernel"/> for IPv6: true when the kernel was asked to
    /// resolve <paramref name="address"/> (XDP: neighbour advertisements stay with the kernel,
    /// which ignores those it did not solicit itself); false when the caller should send its own
    /// neighbour solicitation and learn the advertisement from the frames it receives.
    /// </summary>
    bool RequestNeighbourFromKernel6(in Ip6 address);

    /// <summary>Drops counted by the port (kernel and ours), since it was opened.</summary>
    PortDrops ReadDrops();
}

/// <summary>A port's drop counters.</summary>
/// <param name="RxOverflow">Frames the kernel could not hand over (ring full, no fill frame, too big for a chunk).</param>
/// <param name="TxNoBuffers">Frames not sent for lack of buffers or slots.</param>
/// <param name="TxTooBig">Frames too big to send.</param>
/// <param name="TxError">Frames refused for any other reason.</param>
public readonly record struct PortDrops(ulong RxOverflow, ulong TxNoBuffers, ulong TxTooBig, ulong TxError);
