using Lvs.Core.Packets;
using Lvs.Core.Tests.TestSupport;
using B = Lvs.Core.Tests.TestSupport.Ipv6PacketBuilder;

namespace Lvs.Core.Tests.Packets;

public class Icmpv6MessageTests
{
    [Fact]
    public void TryCreate_CapturedEchoRequest_ReadsHeaderAndVerifies()
    {
        byte[] frame = CapturedIpv6Frames.Frame(CapturedIpv6Frames.EchoRequest);
        Ipv6Packet.TryCreate(frame.AsSpan(14), out Ipv6Packet ip);

        Assert.True(Icmpv6Message.TryCreate(ip.Payload, out Icmpv6Message icmp));
        Assert.Equal(Icmpv6Message.TypeEchoRequest, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0x4123, icmp.Checksum);
        Assert.False(icmp.IsError);
        Assert.False(icmp.QuotesPacket);
        Assert.Equal(0x12340001u, icmp.Parameter);
        Assert.Equal("LVS-echo-v6"u8.ToArray(), icmp.Body.ToArray());
        Assert.True(icmp.ChecksumValid(ip.Source, ip.Destination));
        Assert.False(icmp.ChecksumValid(ip.Destination, Ipv6Address.Parse("2001:db8:c::9")));
    }

    [Fact]
    public void UpdateChecksum_AfterEdit_VerifiesAgain()
    {
        byte[] frame = CapturedIpv6Frames.Frame(CapturedIpv6Frames.EchoRequest);
        Ipv6Packet.TryCreate(frame.AsSpan(14), out Ipv6Packet ip);
        Icmpv6Message.TryCreate(ip.Payload, out Icmpv6Message icmp);

        icmp.Bytes[0] = Icmpv6Message.TypeEchoReply;
        Assert.False(icmp.ChecksumValid(ip.Destination, ip.Source));
        icmp.UpdateChecksum(ip.Destination, ip.Source);

        Assert.True(B.ReferenceVerify(frame[38..54], frame[22..38], 58, ip.Payload));
    }

    [Fact]
    public void Mtu_PacketTooBig_ReadsSecondWord()
    {
        byte[] bytes = [2, 0, 0, 0, 0, 0, 0x05, 0xDC];

        Assert.True(Icmpv6Message.TryCreate(bytes, out Icmpv6Message icmp));
        Assert.Equal(1500u, icmp.Mtu);
        icmp.Parameter = 1280;
        Assert.Equal(0x05, bytes[6]);
        Assert.Equal(0x00, bytes[7]);
        icmp.Checksum = 0xBEEF;
        Assert.Equal(0xBE, bytes[2]);
    }

    [Theory]
    [InlineData(0, true, false)]
    [InlineData(1, true, true)]
    [InlineData(2, true, true)]
    [InlineData(3, true, true)]
    [InlineData(4, true, true)]
    [InlineData(5, true, false)]
    [InlineData(127, true, false)]
    [InlineData(128, false, false)]
    [InlineData(135, false, false)]
    [InlineData(255, false, false)]
    public void IsError_ByType(byte type, bool error, bool quotes)
    {
        byte[] bytes = new byte[8];
        bytes[0] = type;
        Icmpv6Message.TryCreate(bytes, out Icmpv6Message icmp);

        Assert.Equal(error, icmp.IsError);
        Assert.Equal(quotes, icmp.QuotesPacket);
    }

    [Fact]
    public void TryCreate_Truncated_Rejected()
    {
        Assert.False(Icmpv6Message.TryCreate(new byte[7], out _));
    }
}
