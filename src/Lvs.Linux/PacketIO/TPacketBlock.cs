using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static Lvs.Linux.Interop.Packet;

namespace Lvs.Linux.PacketIO;

/// <summary>Where the consumer stands inside one TPACKET_V3 block it owns.</summary>
internal struct BlockCursor
{
    /// <summary>Frames of the block not yet handed to the handler.</summary>
    public int Remaining;

    /// <summary>Offset in the block of the next frame's tpacket3_hdr.</summary>
    public int Offset;
}

/// <summary>
/// Reads one TPACKET_V3 block (Documentation/networking/packet_mmap.rst). Works on a span so it
/// runs the same over the mmap'd ring and over a block built by hand in a test.
/// <code>
/// block:  tpacket_block_desc (48) | ... | frame 0 | frame 1 | ...        (offset_to_first_pkt, num_pkts)
/// frame:  tpacket3_hdr (48) | sockaddr_ll (20) | pad | virtio_net_hdr (10) | Ethernet frame (tp_snaplen)
///         ^ frame start                                                    ^ frame start + tp_mac
///         next frame at frame start + tp_next_offset
/// </code>
/// </summary>
internal static class TPacketBlock
{
    /// <summary>The block's status word; TP_STATUS_USER when the kernel has handed it over.</summary>
    public static ref uint Status(Span<byte> block) =>
        ref MemoryMarshal.AsRef<TPacketBlockDesc>(block).Header.BlockStatus;

    /// <summary>
    /// True when the kernel has retired the block to us. The acquire read orders the reads of the
    /// block's contents after it, pairing with the kernel's smp_wmb before it sets the status.
    /// </summary>
    public static bool IsUserOwned(Span<byte> block) => (Volatile.Read(ref Status(block)) & TP_STATUS_USER) != 0;

    /// <summary>Hands the block back; the release write keeps our reads and writes of it before it.</summary>
    public static void Release(Span<byte> block) => Volatile.Write(ref Status(block), TP_STATUS_KERNEL);

    /// <summary>A cursor at the first frame of a block the kernel has handed over.</summary>
    public static BlockCursor Open(Span<byte> block)
    {
        ref readonly var desc = ref MemoryMarshal.AsRef<TPacketBlockDesc>(block);
        return new BlockCursor
        {
            Remaining = (int)desc.Header.NumPackets,
            Offset = (int)desc.Header.OffsetToFirstPacket,
        };
    }

    /// <summary>
    /// Hands up to <paramref name="maxFrames"/> frames of the block to the handler, advancing the
    /// cursor; the block is finished when <see cref="BlockCursor.Remaining"/> reaches 0.
    /// Offsets the kernel wrote are checked by span slicing: a corrupt block throws rather than
    /// reading outside the ring.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Walk<THandler>(Span<byte> block, ref BlockCursor cursor, ref THandler handler, int maxFrames, bool hasVnetHeader)
        where THandler : struct, IFrameHandler
    {
        int handled = 0;
        while (cursor.Remaining > 0 && handled < maxFrames)
        {
            var frameArea = block[cursor.Offset..];
            ref readonly var hdr = ref MemoryMarshal.AsRef<TPacket3Hdr>(frameArea);
            ref readonly var sll = ref MemoryMarshal.AsRef<SockAddrLl>(frameArea[TPACKET3_SOCKADDR_OFFSET..]);

            int mac = hdr.Mac;
            int snap = (int)hdr.SnapLength;
            uint status = hdr.Status;
            int next = (int)hdr.NextOffset;

            var info = FrameInfo.FromRing(sll, status, hdr.Length, hdr.SnapLength, (ushort)hdr.VlanTci, hdr.Sec, hdr.Nsec);
            if (hasVnetHeader)
            {
                info.Vnet = MemoryMarshal.Read<VirtioNetHeader>(frameArea[(mac - VirtioNetHeader.Size)..mac]);
            }

            // Advance before the callback so a throwing handler does not replay the frame.
            cursor.Remaining--;
            cursor.Offset += next;
            handled++;
            handler.OnFrame(frameArea.Slice(mac, snap), ref info);
        }

        return handled;
    }
}
