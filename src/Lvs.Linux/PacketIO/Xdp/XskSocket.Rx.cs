using System.Buffers.Binary;
using Lvs.Linux.Interop;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>Receive: the rx ring, and the fill ring that gives the kernel frames to fill.</summary>
public sealed unsafe partial class XskSocket
{
    private ulong _rxFrames;

    /// <summary>
    /// Hands up to <paramref name="maxFrames"/> received frames to <paramref name="handler"/> in
    /// arrival order and returns how many. Each frame's chunk goes back to the fill ring once its
    /// handler returned, so the span is valid only during the call (it is writable: rewrite in place,
    /// then copy out with <see cref="TryEnqueue"/>). Allocates nothing.
    /// </summary>
    public int Drain<THandler>(ref THandler handler, int maxFrames)
        where THandler : struct, IFrameHandler
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        uint available = _rx.Available;
        int n = (int)Math.Min(available, (uint)maxFrames);
        if (n == 0)
        {
            WakeFillIfNeeded();
            return 0;
        }

        var info = default(FrameInfo);
        ulong mask = ~((ulong)_frameSize - 1);
        for (int i = 0; i < n; i++)
        {
            var desc = _rx.Desc(_rx.Local++);
            var frame = new Span<byte>((byte*)_umem + (nint)desc->Addr, (int)desc->Len);
            Describe(frame, ref info);
            handler.OnFrame(frame, ref info);

            // The fill ring has as many slots as there are rx frames, so it always has room here.
            *_fill.Address(_fill.Local++) = desc->Addr & mask;
        }

        _rx.PublishConsumer();
        _fill.PublishProducer();
        _rxFrames += (ulong)n;
        return n;
    }

    private void Describe(ReadOnlySpan<byte> frame, ref FrameInfo info)
    {
        info.IfIndex = IfIndex;
        info.WireLength = frame.Length;
        info.Protocol = frame.Length >= 14 ? BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) : (ushort)0;

        // No offload metadata in copy mode: recognise a partial checksum and describe it as the
        // NEEDS_CSUM header an AF_PACKET ring would have given, so the worker treats both alike.
        info.Vnet = default;
        info.ChecksumNotReady = _inferChecksums && XskChecksum.IsPartial(frame, out info.Vnet.CsumStart, out info.Vnet.CsumOffset);
        if (info.ChecksumNotReady)
        {
            info.Vnet.Flags = VirtioNetFlags.NeedsChecksum;
        }

        // AF_XDP says nothing about the link-layer destination: derive what sll_pkttype would be.
        info.PacketType = frame.Length < 6 || (frame[0] & 1) == 0
            ? PacketType.Host
            : frame[..6].IndexOfAnyExcept((byte)0xff) < 0 ? PacketType.Broadcast : PacketType.Multicast;
    }

    private void WakeFillIfNeeded()
    {
        // Only drivers in zero-copy mode set the flag; copy mode fills from the skb path.
        if (UsesNeedWakeup && _fill.NeedsWakeup)
        {
            _ = Libc.RecvFrom(_fd, null, 0, Libc.MSG_DONTWAIT, null, null);
        }
    }
}
