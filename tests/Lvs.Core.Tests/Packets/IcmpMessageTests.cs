using Lvs.Core.Packets;

namespace Lvs.Core.Tests.Packets;

public class IcmpMessageTests
{
    [Fact]
    public void TryCreate_TimeExceeded_ReadsHeaderAndQuotedBody()
    {
        byte[] bytes = Convert.FromHexString("0b00f4ff00000000" + "4500");

        Assert.True(IcmpMessage.TryCreate(bytes, out IcmpMessage icmp));
        Assert.Equal(IcmpMessage.TypeTimeExceeded, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0xF4FF, icmp.Checksum);
        Assert.True(icmp.IsError);
        Assert.Equal(2, icmp.Body.Length);

        icmp.Checksum = 0x1234;
        Assert.Equal(0x12, bytes[2]);
        Assert.Equal(0x34, bytes[3]);
    }

    [Theory]
    [InlineData(IcmpMessage.TypeEchoRequest, false)]
    [InlineData(IcmpMessage.TypeEchoReply, false)]
    [InlineData(IcmpMessage.TypeDestinationUnreachable, true)]
    [InlineData(12, true)]
    public void IsError_ByType(byte type, bool error)
    {
        byte[] bytes = new byte[8];
        bytes[0] = type;
        IcmpMessage.TryCreate(bytes, out IcmpMessage icmp);
        Assert.Equal(error, icmp.IsError);
    }

    [Fact]
    public void TryCreate_Truncated_Rejected()
    {
        Assert.False(IcmpMessage.TryCreate(new byte[7], out _));
    }
}
