using Lvs.Linux.Netlink;

namespace Lvs.Linux.PacketIO;

/// <summary>
/// <see cref="IPacketPort"/> over AF_PACKET: a <see cref="PacketRing"/> to receive and a
/// <see cref="PacketSender"/> to transmit. The default I/O; works on every interface.
/// </summary>
public sealed class AfPacketPort : IPacketPort
{
    private readonly int[] _pollFds;

    /// <summary>Takes ownership of <paramref name="ring"/> and <paramref name="sender"/>.</summary>
    public AfPacketPort(PacketRing ring, PacketSender sender)
    {
        Ring = ring;
        Sender = sender;
        _pollFds = [ring.Fd];
    }

    /// <summary>The receive ring.</summary>
    public PacketRing Ring { get; }

    /// <summary>The transmit side.</summary>
    public PacketSender Sender { get; }

    /// <inheritdoc/>
    public string Name => Ring.Name;

    /// <inheritdoc/>
    public int IfIndex => Ring.IfIndex;

    /// <inheritdoc/>
    public string Kind => "packet";

    /// <inheritdoc/>
    public IReadOnlyList<int> PollFds => _pollFds;

    /// <inheritdoc/>
    public int Queued => Sender.Queued;

    /// <summary>Opens a ring (of the given layout) and a sender on <paramref name="ifName"/>.</summary>
    public static AfPacketPort Open(string ifName, RingKind ring = RingKind.Frames)
    {
        var rx = PacketRing.Open(ifName, new PacketRingOptions { Kind = ring });
        try
        {
            return new AfPacketPort(rx, PacketSender.Open(ifName));
        }
        catch
        {
            rx.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public int Drain<THandler>(ref THandler handler, int maxFrames)
        where THandler : struct, IFrameHandler => Ring.Drain(ref handler, maxFrames);

    /// <inheritdoc/>
    public bool TryEnqueue(ReadOnlySpan<byte> frame, in VirtioNetHeader vnet) => Sender.TryEnqueue(frame, vnet);

    /// <inheritdoc/>
    public Span<byte> Reserve(int length) => Sender.Reserve(length);

    /// <inheritdoc/>
    public void Commit(int length, in VirtioNetHeader vnet) => Sender.Commit(length, vnet);

    /// <inheritdoc/>
    public int Flush() => Sender.Flush();

    /// <inheritdoc/>
    public bool RequestNeighbourFromKernel(uint ipv4Address) => false;

    /// <inheritdoc/>
    public bool RequestNeighbourFromKernel6(in Ip6 address) => false;

    /// <inheritdoc/>
    public PortDrops ReadDrops()
    {
        var s = Sender.ReadStatistics();
        return new PortDrops(Ring.ReadStatistics().Drops, s.DroppedNoBuffers, s.DroppedTooBig, s.DroppedMalformed + s.DroppedOther);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Ring.Dispose();
        Sender.Dispose();
    }
}
