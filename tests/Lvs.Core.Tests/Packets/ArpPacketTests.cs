using Lvs.Core.Packets;

namespace Lvs.Core.Tests.Packets;

public class ArpPacketTests
{
    // Request: who has 192.0.2.10, tell 198.51.100.2 (from 02:..:02).
    private static byte[] Request() =>
        Convert.FromHexString("0001080006040001" + "020000000002" + "c6336402" + "000000000000" + "c000020a");

    [Fact]
    public void TryCreate_Request_ReadsEveryField()
    {
        byte[] bytes = Request();

        Assert.True(ArpPacket.TryCreate(bytes, out ArpPacket arp));
        Assert.Equal(ArpPacket.OperationRequest, arp.Operation);
        Assert.Equal("020000000002", Convert.ToHexStringLower(arp.SenderHardwareAddress));
        Assert.Equal(0xC6336402u, arp.SenderProtocolAddress);
        Assert.Equal("000000000000", Convert.ToHexStringLower(arp.TargetHardwareAddress));
        Assert.Equal(0xC000020Au, arp.TargetProtocolAddress);
    }

    [Theory]
    [InlineData(1, 0x06)]  // htype 6 (IEEE 802)
    [InlineData(2, 0x86)]  // ptype IPv6
    [InlineData(4, 0x08)]  // hlen 8
    [InlineData(5, 0x10)]  // plen 16
    public void TryCreate_NotEthernetIpv4_Rejected(int at, byte value)
    {
        byte[] bytes = Request();
        bytes[at] = value;
        Assert.False(ArpPacket.TryCreate(bytes, out _));
    }

    [Fact]
    public void TryCreate_Truncated_Rejected()
    {
        Assert.False(ArpPacket.TryCreate(Request().AsSpan(0, 27), out _));
    }

    [Fact]
    public void WriteRequest_WritesBroadcastFrame()
    {
        byte[] frame = new byte[60];
        int length = ArpPacket.WriteRequest(frame, Convert.FromHexString("020000000002"), 0xC6336402, 0xC000020A);

        Assert.Equal(42, length);
        Assert.Equal("ffffffffffff0200000000020806" + Convert.ToHexStringLower(Request()), Convert.ToHexStringLower(frame, 0, 42));
    }
}
