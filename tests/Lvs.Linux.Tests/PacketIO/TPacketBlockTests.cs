using System.Buffers.Binary;
using Lvs.Linux.PacketIO;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>The block walker over a V3 block built by hand the way tpacket_rcv lays it out.</summary>
public class TPacketBlockTests
{
    private const int FirstFrame = 48;
    private const int MacOffset = 92; // TPACKET_ALIGN(68 + 14) + 10 (vnet) - 14, as tpacket_rcv computes for Ethernet
    private const int FrameStride = 256;

    [Fact]
    public void Walk_TwoFrames_HandsBytesAndMetadata()
    {
        var block = BuildBlock();
        var handler = new Recorder();
        var cursor = TPacketBlock.Open(block);

        int handled = TPacketBlock.Walk(block, ref cursor, ref handler, 10, hasVnetHeader: true);

        Assert.Equal(2, handled);
        Assert.Equal(0, cursor.Remaining);
        var (first, firstBytes) = handler.Frames[0];
        Assert.Equal(7, first.IfIndex);
        Assert.Equal(PacketType.OtherHost, first.PacketType);
        Assert.Equal(0x0800, first.Protocol);
        Assert.False(first.Truncated);
        Assert.True(first.ChecksumNotReady);
        Assert.False(first.ChecksumValid);
        Assert.Equal(VirtioNetFlags.NeedsChecksum, first.Vnet.Flags);
        Assert.Equal(VirtioGsoType.TcpV4, first.Vnet.GsoType);
        Assert.Equal(1448, first.Vnet.GsoSize);
        Assert.Equal(34, first.Vnet.CsumStart);
        Assert.Equal(16, first.Vnet.CsumOffset);
        Assert.Equal(60, firstBytes.Length);
        Assert.Equal(0xA0, firstBytes[0]);
        Assert.Equal(0xA0 + 59, firstBytes[59]);

        var (second, secondBytes) = handler.Frames[1];
        Assert.Equal(PacketType.Broadcast, second.PacketType);
        Assert.True(second.Truncated);
        Assert.Equal(1000, second.WireLength);
        Assert.True(second.ChecksumValid);
        Assert.Equal(VirtioGsoType.None, second.Vnet.GsoType);
        Assert.Equal(40, secondBytes.Length);
    }

    [Fact]
    public void Walk_MaxFramesReached_ResumesAtNextFrame()
    {
        var block = BuildBlock();
        var handler = new Recorder();
        var cursor = TPacketBlock.Open(block);

        int first = TPacketBlock.Walk(block, ref cursor, ref handler, 1, hasVnetHeader: true);
        int second = TPacketBlock.Walk(block, ref cursor, ref handler, 1, hasVnetHeader: true);
        int third = TPacketBlock.Walk(block, ref cursor, ref handler, 1, hasVnetHeader: true);

        Assert.Equal((1, 1, 0), (first, second, third));
        Assert.Equal([60, 40], handler.Frames.Select(f => f.Bytes.Length));
    }

    [Fact]
    public void Walk_HandlerRewritesFrame_WritesIntoBlock()
    {
        var block = BuildBlock();
        var handler = new Rewriter();
        var cursor = TPacketBlock.Open(block);

        TPacketBlock.Walk(block, ref cursor, ref handler, 10, hasVnetHeader: true);

        Assert.Equal(0x5A, block[FirstFrame + MacOffset]);
        Assert.Equal(0x5A, block[FirstFrame + FrameStride + MacOffset]);
    }

    [Fact]
    public void Walk_StructHandler_AllocatesNothing()
    {
        var block = BuildBlock();
        var handler = new Counter();
        var warm = TPacketBlock.Open(block);
        TPacketBlock.Walk(block, ref warm, ref handler, 10, hasVnetHeader: true);

        var cursor = TPacketBlock.Open(block);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int handled = TPacketBlock.Walk(block, ref cursor, ref handler, 10, hasVnetHeader: true);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(2, handled);
        Assert.Equal(4, handler.Count);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void StatusAndRelease_UserBlock_ReturnsToKernel()
    {
        var block = BuildBlock();

        Assert.True(TPacketBlock.IsUserOwned(block));
        TPacketBlock.Release(block);

        Assert.False(TPacketBlock.IsUserOwned(block));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(8)));
    }

    [Fact]
    public void Walk_CorruptNextOffset_ThrowsInsteadOfReadingPastBlock()
    {
        var block = BuildBlock();
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(FirstFrame), 1 << 20);
        var handler = new Recorder();
        var cursor = TPacketBlock.Open(block);

        Assert.ThrowsAny<ArgumentOutOfRangeException>(
            () => TPacketBlock.Walk(block, ref cursor, ref handler, 10, hasVnetHeader: true));
    }

    /// <summary>A 4 KiB block with two frames: a 60-byte GSO TCP frame and a truncated broadcast.</summary>
    private static byte[] BuildBlock()
    {
        var block = new byte[4096];
        var s = block.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s[0..], 3);          // version
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], 1);          // block_status = TP_STATUS_USER
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], 2);         // num_pkts
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], FirstFrame); // offset_to_first_pkt

        WriteFrame(s[FirstFrame..], next: FrameStride, snap: 60, len: 60, status: 1 | 8, pkttype: 3,
            vnet: [0x01, 0x01, 66, 0, 0xa8, 0x05, 34, 0, 16, 0], fill: 0xA0);
        WriteFrame(s[(FirstFrame + FrameStride)..], next: 0, snap: 40, len: 1000, status: 1 | 0x80, pkttype: 1,
            vnet: new byte[10], fill: 0x10);
        return block;
    }

    private static void WriteFrame(Span<byte> f, int next, int snap, int len, uint status, byte pkttype, byte[] vnet, byte fill)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(f[0..], (uint)next);
        BinaryPrimitives.WriteUInt32LittleEndian(f[12..], (uint)snap);
        BinaryPrimitives.WriteUInt32LittleEndian(f[16..], (uint)len);
        BinaryPrimitives.WriteUInt32LittleEndian(f[20..], status);
        BinaryPrimitives.WriteUInt16LittleEndian(f[24..], MacOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(f[26..], MacOffset + 14);
        BinaryPrimitives.WriteUInt16LittleEndian(f[48..], 17);                 // sll_family
        BinaryPrimitives.WriteUInt16BigEndian(f[50..], 0x0800);                // sll_protocol
        BinaryPrimitives.WriteInt32LittleEndian(f[52..], 7);                   // sll_ifindex
        f[58] = pkttype;
        vnet.CopyTo(f[(MacOffset - 10)..]);
        for (int i = 0; i < snap; i++)
        {
            f[MacOffset + i] = (byte)(fill + i);
        }
    }

    private struct Recorder : IFrameHandler
    {
        public Recorder() => Frames = [];

        public List<(FrameInfo Info, byte[] Bytes)> Frames { get; }

        public readonly void OnFrame(Span<byte> frame, ref FrameInfo info) => Frames.Add((info, frame.ToArray()));
    }

    private struct Counter : IFrameHandler
    {
        public int Count;

        public void OnFrame(Span<byte> frame, ref FrameInfo info) => Count++;
    }

    private struct Rewriter : IFrameHandler
    {
        public readonly void OnFrame(Span<byte> frame, ref FrameInfo info) => frame[0] = 0x5A;
    }
}
