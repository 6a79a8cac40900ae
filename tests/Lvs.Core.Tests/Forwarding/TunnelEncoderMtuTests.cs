using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;
using static Lvs.Core.Tests.Forwarding.TunnelTestData;

namespace Lvs.Core.Tests.Forwarding;

/// <summary>Path MTU, outer fragmentation and GSO segmentation of <see cref="TunnelEncoder"/>.</summary>
public class TunnelEncoderMtuTests
{
    private const byte Fin = TcpSegment.Fin, Psh = TcpSegment.Psh, Ack = TcpSegment.Ack, Cwr = 0x80;

    public static TheoryData<TunnelType, TunnelChecksum, bool, int> FragNeeded => new()
    {
        { TunnelType.IpIp, TunnelChecksum.NoChecksum, false, 1480 },
        { TunnelType.Gue, TunnelChecksum.NoChecksum, false, 1468 },  // 20 + 8 + 4
        { TunnelType.Gue, TunnelChecksum.Checksum, false, 1468 },
        { TunnelType.Gue, TunnelChecksum.RemoteChecksum, true, 1460 }, // + REMCSUM private flags and option
        { TunnelType.Gre, TunnelChecksum.NoChecksum, false, 1476 },
        { TunnelType.Gre, TunnelChecksum.Checksum, false, 1472 },
    };

    [Theory]
    [MemberData(nameof(FragNeeded))]
    public void Send_FullSizeInnerWithDf_FragmentationNeededWithTunnelMtu(TunnelType type, TunnelChecksum checksum, bool partial, int mtu)
    {
        var sink = new CollectingSink();
        byte[] inner = TcpInner(1500, mode: partial ? ChecksumMode.Partial : ChecksumMode.Full);

        TunnelResult result = Send(ref sink, inner, Spec(type, checksum), partial);

        Assert.Equal(TunnelOutcome.FragmentationNeeded, result.Outcome);
        Assert.Equal(mtu, result.Mtu);
        Assert.Empty(sink.Packets);
    }

    [Theory]
    [MemberData(nameof(FragNeeded))]
    public void Send_InnerOfExactlyTheTunnelMtu_SentWhole(TunnelType type, TunnelChecksum checksum, bool partial, int mtu)
    {
        var sink = new CollectingSink();
        byte[] inner = TcpInner(mtu, mode: partial ? ChecksumMode.Partial : ChecksumMode.Full);

        TunnelResult result = Send(ref sink, inner, Spec(type, checksum), partial);

        Assert.Equal(TunnelOutcome.Sent, result.Outcome);
        Assert.Equal(Mtu, Assert.Single(sink.Packets).Length);
    }

    public static TheoryData<TunnelType, TunnelChecksum, int> FragmentCases => new()
    {
        { TunnelType.IpIp, TunnelChecksum.NoChecksum, 1500 },
        { TunnelType.Gre, TunnelChecksum.Checksum, 1500 },
        { TunnelType.Gue, TunnelChecksum.Checksum, 1500 },
        { TunnelType.Gue, TunnelChecksum.NoChecksum, 1400 },
        { TunnelType.IpIp, TunnelChecksum.NoChecksum, 576 },
    };

    [Theory]
    [MemberData(nameof(FragmentCases))]
    public void Send_FullSizeInnerWithoutDf_FragmentsTheOuterPacket(TunnelType type, TunnelChecksum checksum, int mtu)
    {
        var sink = new CollectingSink();
        byte[] inner = TcpInner(1500, df: false);

        TunnelResult result = Send(ref sink, inner, Spec(type, checksum), mtu: mtu, ipId: 0x5151);

        Assert.Equal(TunnelOutcome.Sent, result.Outcome);
        Assert.Equal(sink.Packets.Count, result.Packets);
        Assert.True(sink.Packets.Count >= 2);
        byte[] data = Reassemble(sink.Packets, mtu, 0x5151);
        int overhead = TunnelEncoder.Overhead(Spec(type, checksum)) - 20;
        Assert.Equal(overhead + inner.Length, data.Length);
        Assert.Equal(inner, data[overhead..]);
        switch (type)
        {
            case TunnelType.Gre:
                Assert.Equal((0x8000, 0x0800), (Word(data, 0), Word(data, 2)));
                Assert.Equal(0xFFFF, PacketBuilder.FoldedSum(data));
                break;
            case TunnelType.Gue:
                Assert.Equal((6080, data.Length), (Word(data, 2), Word(data, 4)));
                Assert.True(checksum == TunnelChecksum.NoChecksum ? Word(data, 6) == 0 : OuterUdpChecksumValid(sink.Packets[0], data));
                break;
        }
    }

    [Fact]
    public void Send_TcpGsoSuperFrame_SegmentsWithConsecutiveSequenceNumbersAndIds()
    {
        byte[] inner = TcpInner(40 + (3 * 1400), mode: ChecksumMode.Partial, flags: (byte)(Cwr | Psh | Fin | Ack));
        var sink = new CollectingSink();

        TunnelResult result = Send(ref sink, inner, Spec(TunnelType.IpIp), partial: true, gsoSize: 1400);

        Assert.Equal(new TunnelResult(TunnelOutcome.Sent, 0, 3), result);
        AssertSegments(sink.Packets, inner, 20, [1400, 1400, 1400]);
    }

    [Fact]
    public void Send_TcpGsoUnevenTailThroughGreChecksum_LastSegmentShorter()
    {
        byte[] inner = TcpInner(40 + 3000, mode: ChecksumMode.Partial, flags: Psh | Ack);
        var sink = new CollectingSink();

        TunnelResult result = Send(ref sink, inner, Spec(TunnelType.Gre, TunnelChecksum.Checksum), partial: true, gsoSize: 1400);

        Assert.Equal(3, result.Packets);
        AssertSegments(sink.Packets, inner, 28, [1400, 1400, 200]);
        Assert.All(sink.Packets, p => Assert.Equal(0xFFFF, PacketBuilder.FoldedSum(p.AsSpan(20))));
    }

    [Fact]
    public void Send_TcpGsoThatFitsOneSegment_SentAsOnePacket()
    {
        byte[] inner = TcpInner(40 + 1000, mode: ChecksumMode.Partial);
        var sink = new CollectingSink();

        TunnelResult result = Send(ref sink, inner, Spec(TunnelType.IpIp), partial: true, gsoSize: 1400);

        Assert.Equal(1, result.Packets);
        Assert.Equal(TcpInner(40 + 1000), Assert.Single(sink.Packets)[20..]);
    }

    [Fact]
    public void Send_TcpGsoSegmentsTooBigForPathWithDf_FragmentationNeeded()
    {
        byte[] inner = TcpInner(40 + (3 * 1400), mode: ChecksumMode.Partial);
        var sink = new CollectingSink();

        TunnelResult result = Send(ref sink, inner, Spec(TunnelType.IpIp), partial: true, gsoSize: 1400, mtu: 1400);

        Assert.Equal(TunnelOutcome.FragmentationNeeded, result.Outcome);
        Assert.Equal(1380, result.Mtu);
        Assert.Empty(sink.Packets);
    }

    [Fact]
    public void Send_UdpGso_Unsupported()
    {
        var sink = new CollectingSink();

        TunnelResult result = Send(ref sink, UdpInner(3000), Spec(TunnelType.IpIp), gsoSize: 1400);

        Assert.Equal(TunnelOutcome.Unsupported, result.Outcome);
        Assert.Empty(sink.Packets);
    }

    [Fact]
    public void Send_GsoSinkFullAfterOneSegment_NoBufferWithCount()
    {
        var sink = new CollectingSink(capacity: 1);

        TunnelResult result = Send(ref sink, TcpInner(40 + 2800, mode: ChecksumMode.Partial), Spec(TunnelType.IpIp), partial: true, gsoSize: 1400);

        Assert.Equal(new TunnelResult(TunnelOutcome.NoBuffer, 0, 1), result);
    }

    /// <summary>Checks each fragment and returns the reassembled outer payload.</summary>
    private static byte[] Reassemble(List<byte[]> fragments, int mtu, ushort id)
    {
        var data = new List<byte>();
        for (int i = 0; i < fragments.Count; i++)
        {
            byte[] f = fragments[i];
            bool last = i == fragments.Count - 1;
            Assert.True(f.Length <= mtu, $"fragment {i}: {f.Length} > {mtu}");
            Assert.Equal(f.Length, Word(f, 2));
            Assert.True(PacketBuilder.Ipv4HeaderChecksumValid(f));
            Assert.Equal(id, Word(f, 4));
            ushort flags = Word(f, 6);
            Assert.Equal(!last, (flags & 0x2000) != 0);
            Assert.Equal(0, flags & 0x4000);
            Assert.Equal(data.Count, (flags & 0x1FFF) * 8);
            if (!last)
            {
                Assert.Equal(0, (f.Length - 20) % 8);
            }

            data.AddRange(f[20..]);
        }

        return [.. data];
    }

    private static void AssertSegments(List<byte[]> packets, byte[] inner, int overhead, int[] sizes)
    {
        Assert.Equal(sizes.Length, packets.Count);
        uint seq = (uint)Word(inner, 24) << 16 | Word(inner, 26);
        int offset = 0;
        for (int i = 0; i < packets.Count; i++)
        {
            byte[] p = packets[i];
            bool last = i == packets.Count - 1;
            Assert.Equal(p.Length, Word(p, 2));
            Assert.True(PacketBuilder.Ipv4HeaderChecksumValid(p));
            Assert.Equal(0x4000, Word(p, 6)); // DF from the inner packet

            byte[] seg = p[overhead..];
            Assert.Equal(40 + sizes[i], seg.Length);
            Assert.Equal(seg.Length, Word(seg, 2));
            Assert.Equal(0x1234 + i, Word(seg, 4));
            Assert.True(PacketBuilder.Ipv4HeaderChecksumValid(seg));
            Assert.True(PacketBuilder.TransportChecksumValid((ReadOnlySpan<byte>)seg));
            Assert.Equal(seq + (uint)offset, (uint)Word(seg, 24) << 16 | Word(seg, 26));
            Assert.Equal(inner[28..32], seg[28..32]); // ack unchanged
            byte flags = seg[33];
            Assert.Equal(last ? inner[33] & (Fin | Psh) : 0, flags & (Fin | Psh));
            Assert.Equal(i == 0 ? inner[33] & Cwr : 0, flags & Cwr);
            Assert.Equal(Ack, flags & Ack);
            Assert.Equal(inner.AsSpan(40 + offset, sizes[i]).ToArray(), seg[40..]);
            offset += sizes[i];
        }

        Assert.Equal(inner.Length - 40, offset);
    }
}
