using Lvs.Core.Packets;

namespace Lvs.Core.Tests.Packets;

public class UdpDatagramTests
{
    // sport 5353, dport 53, length 12, checksum 0xabcd, 4 payload bytes.
    private static byte[] Datagram() => Convert.FromHexString("14e90035000cabcd" + "01020304");

    [Fact]
    public void TryCreate_Valid_ReadsEveryField()
    {
        byte[] bytes = Datagram();

        Assert.True(UdpDatagram.TryCreate(bytes, out UdpDatagram udp));
        Assert.Equal(5353, udp.SourcePort);
        Assert.Equal(53, udp.DestinationPort);
        Assert.Equal(12, udp.Length);
        Assert.Equal(0xABCD, udp.Checksum);
    }

    [Fact]
    public void Setters_WriteBigEndianAtTheRightOffsets()
    {
        byte[] bytes = Datagram();
        UdpDatagram.TryCreate(bytes, out UdpDatagram udp);

        udp.SourcePort = 0x0102;
        udp.DestinationPort = 0x0304;
        udp.Checksum = 0;

        Assert.Equal("01020304000c0000", Convert.ToHexStringLower(bytes, 0, 8));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void TryCreate_ShorterThanHeader_Rejected(int length)
    {
        Assert.False(UdpDatagram.TryCreate(Datagram().AsSpan(0, length), out _));
        Assert.False(UdpDatagram.TryCreate(Datagram().AsSpan(0, length), out _, gso: true));
    }

    [Theory]
    [InlineData(7)]   // below the header
    [InlineData(0)]
    [InlineData(13)]  // past the IP payload
    public void TryCreate_BadLengthField_Rejected(int length)
    {
        byte[] bytes = Datagram();
        bytes[4] = (byte)(length >> 8);
        bytes[5] = (byte)length;
        Assert.False(UdpDatagram.TryCreate(bytes, out _));
    }

    [Fact]
    public void TryCreate_GsoSuperFrame_AcceptsLengthPastPayload()
    {
        byte[] bytes = Datagram();
        bytes[5] = 200;
        Assert.True(UdpDatagram.TryCreate(bytes, out _, gso: true));
    }

    [Fact]
    public void TryCreate_LengthShorterThanPayload_Accepted()
    {
        byte[] bytes = Datagram();
        bytes[5] = 8;
        Assert.True(UdpDatagram.TryCreate(bytes, out UdpDatagram udp));
        Assert.Equal(8, udp.Length);
    }
}
