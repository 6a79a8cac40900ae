using Lvs.Core.Packets;

namespace Lvs.Core.Tests.Packets;

public class TcpSegmentTests
{
    // sport 40000, dport 80, seq 0x01020304, ack 0x0a0b0c0d, offset 6 (one option word), PSH|ACK, window, checksum 0x1234, urg 0, MSS option... then 3 payload bytes.
    private static byte[] Segment() =>
        Convert.FromHexString("9c400050010203040a0b0c0d6018faf012340000" + "020405b4" + "616263");

    [Fact]
    public void TryCreate_ValidSegment_ReadsEveryField()
    {
        byte[] bytes = Segment();

        Assert.Equal(TcpParseResult.Ok, TcpSegment.TryCreate(bytes, out TcpSegment tcp));
        Assert.Equal(40000, tcp.SourcePort);
        Assert.Equal(80, tcp.DestinationPort);
        Assert.Equal(0x01020304u, tcp.SequenceNumber);
        Assert.Equal(0x0A0B0C0Du, tcp.AcknowledgmentNumber);
        Assert.Equal(24, tcp.DataOffset);
        Assert.Equal(TcpSegment.Psh | TcpSegment.Ack, tcp.Flags);
        Assert.Equal(0x1234, tcp.Checksum);
        Assert.Equal("abc"u8.ToArray(), tcp.Payload.ToArray());
    }

    [Fact]
    public void Setters_WritePortsAndChecksumBigEndian()
    {
        byte[] bytes = Segment();
        TcpSegment.TryCreate(bytes, out TcpSegment tcp);

        tcp.SourcePort = 0x0102;
        tcp.DestinationPort = 0x1F90;
        tcp.Checksum = 0xBEEF;

        Assert.Equal("01021f90", Convert.ToHexStringLower(bytes, 0, 4));
        Assert.Equal("beef", Convert.ToHexStringLower(bytes, 16, 2));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(19)]
    public void TryCreate_ShorterThanMinimumHeader_Truncated(int length)
    {
        Assert.Equal(TcpParseResult.Truncated, TcpSegment.TryCreate(Segment().AsSpan(0, length), out _));
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x40)]
    public void TryCreate_DataOffsetBelowFive_BadDataOffset(byte offsetByte)
    {
        byte[] bytes = Segment();
        bytes[12] = offsetByte;
        Assert.Equal(TcpParseResult.BadDataOffset, TcpSegment.TryCreate(bytes, out _));
    }

    [Fact]
    public void TryCreate_DataOffsetPastEnd_Truncated()
    {
        byte[] bytes = Segment();
        bytes[12] = 0xF0; // 60 bytes of header, 27 present
        Assert.Equal(TcpParseResult.Truncated, TcpSegment.TryCreate(bytes, out _));
    }

    [Fact]
    public void TryCreate_DataOffsetExactlyTheSegment_OkWithEmptyPayload()
    {
        Assert.Equal(TcpParseResult.Ok, TcpSegment.TryCreate(Segment().AsSpan(0, 24), out TcpSegment tcp));
        Assert.Equal(0, tcp.Payload.Length);
    }
}
