using Lvs.Core.Packets;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests.Packets;

public class Ipv4PacketTests
{
    // 45 b8 0034 abcd 4000 3f 06 csum c6336402 c000020a, then 20 bytes of TCP-ish payload.
    private static byte[] Header() =>
        Convert.FromHexString("45b80028abcd40003f060000c6336402c000020a" + "0102030405060708090a0b0c0d0e0f1011121314");

    [Fact]
    public void TryCreate_ValidHeader_ReadsEveryField()
    {
        byte[] bytes = Header();

        Assert.Equal(Ipv4ParseResult.Ok, Ipv4Packet.TryCreate(bytes, out Ipv4Packet ip));
        Assert.Equal(20, ip.HeaderLength);
        Assert.Equal(40, ip.TotalLength);
        Assert.Equal(0xB8, ip.TypeOfService);
        Assert.Equal(0xABCD, ip.Identification);
        Assert.True(ip.DontFragment);
        Assert.False(ip.IsFragment);
        Assert.Equal(63, ip.TimeToLive);
        Assert.Equal(Ipv4Packet.ProtocolTcp, ip.Protocol);
        Assert.Equal(PacketBuilder.Ip("198.51.100.2"), ip.Source);
        Assert.Equal(PacketBuilder.Ip("192.0.2.10"), ip.Destination);
        Assert.Equal(1, ip.Payload[0]);
        Assert.Equal(20, ip.Payload.Length);
    }

    [Fact]
    public void TryCreate_FrameLongerThanTotalLength_ViewCoversTotalLengthOnly()
    {
        byte[] bytes = [.. Header(), 0xEE, 0xEE, 0xEE, 0xEE];

        Assert.Equal(Ipv4ParseResult.Ok, Ipv4Packet.TryCreate(bytes, out Ipv4Packet ip));
        Assert.Equal(40, ip.Bytes.Length);
        Assert.Equal(20, ip.Payload.Length);
    }

    [Fact]
    public void TryCreate_WithOptions_HeaderAndPayloadSplitAtIhl()
    {
        byte[] bytes = Convert.FromHexString("4600001c0000000040110000010203040506070801010000aabbccdd");

        Assert.Equal(Ipv4ParseResult.Ok, Ipv4Packet.TryCreate(bytes, out Ipv4Packet ip));
        Assert.Equal(24, ip.HeaderLength);
        Assert.Equal(24, ip.Header.Length);
        Assert.Equal(0xAA, ip.Payload[0]);
    }

    [Theory]
    [InlineData(19, Ipv4ParseResult.Truncated)]
    [InlineData(0, Ipv4ParseResult.Truncated)]
    public void TryCreate_ShorterThanMinimumHeader_Truncated(int length, Ipv4ParseResult expected)
    {
        Assert.Equal(expected, Ipv4Packet.TryCreate(Header().AsSpan(0, length), out _));
    }

    [Fact]
    public void TryCreate_Version6_BadVersion()
    {
        byte[] bytes = Header();
        bytes[0] = 0x65;
        Assert.Equal(Ipv4ParseResult.BadVersion, Ipv4Packet.TryCreate(bytes, out _));
    }

    [Theory]
    [InlineData(0x40)]
    [InlineData(0x44)]
    public void TryCreate_IhlBelowFive_BadHeaderLength(byte vihl)
    {
        byte[] bytes = Header();
        bytes[0] = vihl;
        Assert.Equal(Ipv4ParseResult.BadHeaderLength, Ipv4Packet.TryCreate(bytes, out _));
    }

    [Fact]
    public void TryCreate_TotalLengthBelowIhl_BadTotalLength()
    {
        byte[] bytes = Header();
        bytes[0] = 0x46; // 24-byte header
        bytes[2] = 0;
        bytes[3] = 20;
        Assert.Equal(Ipv4ParseResult.BadTotalLength, Ipv4Packet.TryCreate(bytes, out _));
    }

    [Fact]
    public void TryCreate_TotalLengthPastFrame_Rejected()
    {
        byte[] bytes = Header();
        bytes[3] = 41;
        Assert.Equal(Ipv4ParseResult.TotalLengthPastFrame, Ipv4Packet.TryCreate(bytes, out _));
    }

    [Fact]
    public void TryCreate_IhlPastFrame_Rejected()
    {
        // IHL 15 = 60 bytes but only 40 present: total length 60 is past the frame.
        byte[] bytes = Header();
        bytes[0] = 0x4F;
        bytes[3] = 60;
        Assert.Equal(Ipv4ParseResult.TotalLengthPastFrame, Ipv4Packet.TryCreate(bytes, out _));
    }

    [Theory]
    [InlineData(0x20, 0x00, true)]   // MF
    [InlineData(0x00, 0x01, true)]   // offset 8
    [InlineData(0x40, 0x00, false)]  // DF only
    public void IsFragment_FlagsAndOffset(byte b6, byte b7, bool fragment)
    {
        byte[] bytes = Header();
        bytes[6] = b6;
        bytes[7] = b7;
        Ipv4Packet.TryCreate(bytes, out Ipv4Packet ip);
        Assert.Equal(fragment, ip.IsFragment);
    }

    [Fact]
    public void Setters_WriteBigEndianAtTheRightOffsets()
    {
        byte[] bytes = Header();
        Ipv4Packet.TryCreate(bytes, out Ipv4Packet ip);

        ip.Source = 0x0A00000B;
        ip.Destination = 0x01020304;
        ip.TimeToLive = 9;
        ip.HeaderChecksum = 0xBEEF;

        Assert.Equal("45b80028abcd40000906beef0a00000b01020304", Convert.ToHexStringLower(bytes, 0, 20));
    }

    [Fact]
    public void UpdateHeaderChecksum_ThenValid_AndCorruptionDetected()
    {
        byte[] bytes = Header();
        Ipv4Packet.TryCreate(bytes, out Ipv4Packet ip);
        Assert.False(ip.HeaderChecksumValid);

        ip.UpdateHeaderChecksum();

        Assert.True(ip.HeaderChecksumValid);
        Assert.Equal((ushort)~PacketBuilder.FoldedSum([.. bytes.AsSpan(0, 10), 0, 0, .. bytes.AsSpan(12, 8)]), ip.HeaderChecksum);
        bytes[15] ^= 1;
        Assert.False(ip.HeaderChecksumValid);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(2)]
    [InlineData(255)]
    [InlineData(1)]
    public void DecrementTimeToLive_KeepsHeaderChecksumValid(byte ttl)
    {
        byte[] bytes = Header();
        Ipv4Packet.TryCreate(bytes, out Ipv4Packet ip);
        ip.TimeToLive = ttl;
        ip.UpdateHeaderChecksum();

        ip.DecrementTimeToLive();

        Assert.Equal(ttl - 1, ip.TimeToLive);
        Assert.True(ip.HeaderChecksumValid);
        ushort incremental = ip.HeaderChecksum;
        ip.UpdateHeaderChecksum();
        Assert.Equal(ip.HeaderChecksum, incremental);
    }
}
