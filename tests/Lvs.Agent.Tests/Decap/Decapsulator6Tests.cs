using System.Buffers.Binary;
using Lvs.Agent.Decap;
using Lvs.Core.Packets;
using static Lvs.Agent.Tests.Decap.TestPackets6;

namespace Lvs.Agent.Tests.Decap;

public class Decapsulator6Tests
{
    private static readonly Ipv6Address[] Vips6 = [Vip];
    private static readonly uint[] Vips4 = [TestPackets.Vip];

    private static (DecapResult Result, byte[] Inner) Run(DecapPath path, byte[] packet)
    {
        DecapResult result = Decapsulator.Decapsulate(path, packet, Vips4, Vips6, out int offset, out int length);
        return (result, packet.AsSpan(offset, length).ToArray());
    }

    private static DecapResult Result(DecapPath path, byte[] packet) => Run(path, packet).Result;

    [Fact]
    public void Ip6InIp6_ValidInner_DeliversWholeRead()
    {
        byte[] inner = Inner6(Vip);
        var (result, got) = Run(DecapPath.Ip6InIp6, inner);
        Assert.Equal(DecapResult.Deliver, result);
        Assert.Equal(inner, got);
    }

    [Fact]
    public void Ip6InIp6_TrailingBytes_TrimmedToPayloadLength()
    {
        byte[] inner = Inner6(Vip);
        var (result, got) = Run(DecapPath.Ip6InIp6, [.. inner, 0xAA, 0xBB]);
        Assert.Equal(DecapResult.Deliver, result);
        Assert.Equal(inner, got);
    }

    [Fact]
    public void Ip6InIp6_DestinationOptionsBeforeUdp_Delivers()
    {
        byte[] inner = Inner6WithOptions(Vip);
        var (result, got) = Run(DecapPath.Ip6InIp6, inner);
        Assert.Equal(DecapResult.Deliver, result);
        Assert.Equal(inner, got);
    }

    [Fact]
    public void Ip6InIp6_InnerForAnotherAddress_NotOurVip()
    {
        Assert.Equal(DecapResult.NotOurVip, Result(DecapPath.Ip6InIp6, Inner6(OtherVip)));
    }

    [Fact]
    public void Ip6InIp6_IPv4MappedFormOfIpv4Vip_NotOurVip()
    {
        // An IPv4 VIP does not make its ::ffff: form an IPv6 VIP.
        Assert.Equal(DecapResult.NotOurVip, Result(DecapPath.Ip6InIp6, Inner6(Ipv6Address.FromIPv4(TestPackets.Vip))));
    }

    [Fact]
    public void Ip6InIp6_CutShort_InnerTruncated()
    {
        byte[] inner = Inner6(Vip);
        Assert.Equal(DecapResult.InnerTruncated, Result(DecapPath.Ip6InIp6, []));
        Assert.Equal(DecapResult.InnerTruncated, Result(DecapPath.Ip6InIp6, inner[..39]));
        Assert.Equal(DecapResult.InnerTruncated, Result(DecapPath.Ip6InIp6, inner[..^1]));
    }

    [Fact]
    public void Ip6InIp6_InnerIsIpv4_InnerNotIpv6()
    {
        Assert.Equal(DecapResult.InnerNotIpv6, Result(DecapPath.Ip6InIp6, TestPackets.Inner(TestPackets.Vip)));
    }

    [Fact]
    public void Ip6InIp6_HopByHopAfterDestinationOptions_InnerBadExtensionHeaders()
    {
        byte[] inner = Inner6WithOptions(Vip, optionsNext: 0);
        Assert.Equal(DecapResult.InnerBadExtensionHeaders, Result(DecapPath.Ip6InIp6, inner));
    }

    [Fact]
    public void Ip6InIp6_OptionsLengthPastPayload_InnerBadExtensionHeaders()
    {
        byte[] inner = Inner6WithOptions(Vip);
        inner[41] = 10; // (10 + 1) * 8 bytes of options, far more than the packet holds
        Assert.Equal(DecapResult.InnerBadExtensionHeaders, Result(DecapPath.Ip6InIp6, inner));
    }

    [Fact]
    public void Ip6InIp6_TwoFragmentHeaders_InnerBadExtensionHeaders()
    {
        byte[] fragments = [44, 0, 0, 0, 0, 0, 0, 1, 17, 0, 0, 0, 0, 0, 0, 1];
        byte[] inner = Ipv6(Client, Vip, 44, [.. fragments, .. Udp6(Client, Vip, 1, 2, "x"u8)]);
        Assert.Equal(DecapResult.InnerBadExtensionHeaders, Result(DecapPath.Ip6InIp6, inner));
    }

    [Fact]
    public void Ip6InIp6_SeventeenOptionHeaders_InnerBadExtensionHeaders()
    {
        var chain = new List<byte>();
        for (int i = 0; i < 17; i++)
        {
            chain.AddRange([(byte)(i < 16 ? 60 : 17), 0, 1, 4, 0, 0, 0, 0]);
        }

        byte[] inner = Ipv6(Client, Vip, 60, [.. chain, .. Udp6(Client, Vip, 1, 2, "x"u8)]);
        Assert.Equal(DecapResult.InnerBadExtensionHeaders, Result(DecapPath.Ip6InIp6, inner));
    }

    [Fact]
    public void Ip6InIp6_FirstFragment_DeliveredForTheKernelToReassemble()
    {
        byte[] fragment = [17, 0, 0, 1, 0, 0, 0, 9]; // offset 0, M set
        byte[] inner = Ipv6(Client, Vip, 44, [.. fragment, .. Udp6(Client, Vip, 1, 2, "x"u8)]);
        Assert.Equal(DecapResult.Deliver, Result(DecapPath.Ip6InIp6, inner));
    }

    [Fact]
    public void Ip4InIp6_ValidIpv4Inner_DeliversWholeRead()
    {
        byte[] inner = TestPackets.Inner(TestPackets.Vip);
        var (result, got) = Run(DecapPath.Ip4InIp6, inner);
        Assert.Equal(DecapResult.Deliver, result);
        Assert.Equal(inner, got);
    }

    [Fact]
    public void Ip4InIp6_BadInner_DroppedWithIpv4Reasons()
    {
        Assert.Equal(DecapResult.InnerNotIpv4, Result(DecapPath.Ip4InIp6, Inner6(Vip)));
        Assert.Equal(DecapResult.NotOurVip, Result(DecapPath.Ip4InIp6, TestPackets.Inner(TestPackets.OtherVip)));
        Assert.Equal(DecapResult.InnerTruncated, Result(DecapPath.Ip4InIp6, TestPackets.Inner(TestPackets.Vip)[..^1]));
        byte[] badSum = TestPackets.Inner(TestPackets.Vip);
        badSum[10] ^= 0xFF;
        Assert.Equal(DecapResult.InnerBadChecksum, Result(DecapPath.Ip4InIp6, badSum));
    }

    [Fact]
    public void Ip4InIp6_Ipv6InnerToIpv6Vip_InnerNotIpv4()
    {
        // Next header 4 promises IPv4: an IPv6 packet there is refused even for a served IPv6 VIP.
        Assert.Equal(DecapResult.InnerNotIpv4, Result(DecapPath.Ip4InIp6, Inner6(Vip)));
    }

    [Fact]
    public void Ip6InIp4_ValidPacket_DeliversInnerAfterOuterHeader()
    {
        byte[] inner = Inner6(Vip);
        byte[] packet = Ip6InIp4(inner);
        DecapResult result = Decapsulator.Ip6InIp4(packet, Vips6, out int offset, out int length);
        Assert.Equal(DecapResult.Deliver, result);
        Assert.Equal(20, offset);
        Assert.Equal(inner, packet.AsSpan(offset, length).ToArray());
    }

    [Fact]
    public void Ip6InIp4_BadOuterOrInner_DroppedWithReason()
    {
        byte[] inner = Inner6(Vip);
        Assert.Equal(DecapResult.OuterWrongProtocol, Result(DecapPath.Ip6InIp4, TestPackets.Ipip(inner)));
        Assert.Equal(DecapResult.OuterTruncated, Result(DecapPath.Ip6InIp4, Ip6InIp4(inner)[..^1]));
        Assert.Equal(DecapResult.OuterMalformed, Result(DecapPath.Ip6InIp4, Ip6InIp6OnWire(inner)));
        Assert.Equal(DecapResult.InnerNotIpv6, Result(DecapPath.Ip6InIp4, Ip6InIp4(TestPackets.Inner(TestPackets.Vip))));
        Assert.Equal(DecapResult.NotOurVip, Result(DecapPath.Ip6InIp4, Ip6InIp4(Inner6(OtherVip))));
        Assert.Equal(DecapResult.InnerTruncated, Result(DecapPath.Ip6InIp4, Ip6InIp4(inner[..50])));
        Assert.Equal(DecapResult.InnerBadExtensionHeaders, Result(DecapPath.Ip6InIp4, Ip6InIp4(Inner6WithOptions(Vip, optionsNext: 0))));
    }

    [Fact]
    public void Ip6InIp4_OuterPaddingAfterInner_TrimmedToInnerPayloadLength()
    {
        byte[] inner = Inner6(Vip);
        byte[] packet = Ip6InIp4([.. inner, 0, 0, 0]);
        Assert.Equal(DecapResult.Deliver, Decapsulator.Ip6InIp4(packet, Vips6, out int offset, out int length));
        Assert.Equal(inner, packet.AsSpan(offset, length).ToArray());
    }

    [Fact]
    public void Decapsulate_EachPath_MatchesItsParser()
    {
        byte[] inner4 = TestPackets.Inner(TestPackets.Vip);
        byte[] inner6 = Inner6(Vip);
        Assert.Equal(DecapResult.Deliver, Result(DecapPath.Ipip, TestPackets.Ipip(inner4)));
        Assert.Equal(DecapResult.Deliver, Result(DecapPath.Gre, TestPackets.Gre(inner4)));
        Assert.Equal(DecapResult.Deliver, Result(DecapPath.Gue, TestPackets.Gue(inner4)));
        Assert.Equal(DecapResult.Deliver, Result(DecapPath.Ip6InIp4, Ip6InIp4(inner6)));
        Assert.Equal(DecapResult.Deliver, Result(DecapPath.Ip6InIp6, inner6));
        Assert.Equal(DecapResult.Deliver, Result(DecapPath.Ip4InIp6, inner4));

        // Each path refuses what the others deliver where the bytes cannot be mistaken.
        Assert.Equal(DecapResult.OuterWrongProtocol, Result(DecapPath.Ipip, Ip6InIp4(inner6)));
        Assert.Equal(DecapResult.InnerNotIpv6, Result(DecapPath.Ip6InIp6, inner4));
    }

    [Fact]
    public void Decapsulate_VipOfOtherFamilyOnly_NotOurVip()
    {
        // Served VIPs are per family: an IPv6 packet is not delivered when only IPv4 VIPs are served.
        Assert.Equal(DecapResult.NotOurVip,
            Decapsulator.Decapsulate(DecapPath.Ip6InIp6, Inner6(Vip), Vips4, [], out _, out _));
        Assert.Equal(DecapResult.NotOurVip,
            Decapsulator.Decapsulate(DecapPath.Ip4InIp6, TestPackets.Inner(TestPackets.Vip), [], Vips6, out _, out _));
    }

    [Fact]
    public void Ip6InIp6_InnerPayloadLengthRead_MatchesDeliveredLength()
    {
        byte[] inner = Inner6WithOptions(Vip);
        Assert.Equal(DecapResult.Deliver, Decapsulator.Ip6InIp6(inner, Vips6, out _, out int length));
        Assert.Equal(40 + BinaryPrimitives.ReadUInt16BigEndian(inner.AsSpan(4)), length);
    }
}
