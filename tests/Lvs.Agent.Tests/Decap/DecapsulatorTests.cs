using System.Buffers.Binary;
using Lvs.Agent.Decap;
using Lvs.Core.Packets;
using static Lvs.Agent.Tests.Decap.TestPackets;

namespace Lvs.Agent.Tests.Decap;

public class DecapsulatorTests
{
    private static readonly uint[] Vips = [Vip];

    private static (DecapResult Result, byte[] Inner) Run(Func<Span<byte>, (DecapResult, int, int)> decap, byte[] packet)
    {
        (DecapResult result, int offset, int length) = decap(packet);
        return (result, packet.AsSpan(offset, length).ToArray());
    }

    private static (DecapResult, byte[]) Ipip(byte[] p) =>
        Run(s => (Decapsulator.Ipip(s, Vips, out int o, out int l), o, l), p);

    private static (DecapResult, byte[]) Gre(byte[] p) =>
        Run(s => (Decapsulator.Gre(s, Vips, out int o, out int l), o, l), p);

    private static (DecapResult, byte[]) Gue(byte[] p) =>
        Run(s => (Decapsulator.Gue(s, Vips, out int o, out int l), o, l), p);

    [Fact]
    public void Ipip_ValidPacket_DeliversInnerBytes()
    {
        byte[] inner = Inner(Vip);
        var (result, got) = Ipip(TestPackets.Ipip(inner));
        Assert.Equal(DecapResult.Deliver, result);
        Assert.Equal(inner, got);
    }

    [Fact]
    public void Ipip_TrailingPaddingAfterInner_TrimmedToInnerTotalLength()
    {
        byte[] inner = Inner(Vip);
        var (result, got) = Ipip(TestPackets.Ipip([.. inner, 0, 0, 0, 0]));
        Assert.Equal(DecapResult.Deliver, result);
        Assert.Equal(inner, got);
    }

    [Fact]
    public void Ipip_InnerForAnotherAddress_NotOurVip()
    {
        Assert.Equal(DecapResult.NotOurVip, Ipip(TestPackets.Ipip(Inner(OtherVip))).Item1);
    }

    [Fact]
    public void Ipip_ReadShorterThanOuterTotalLength_OuterTruncated()
    {
        byte[] packet = TestPackets.Ipip(Inner(Vip));
        Assert.Equal(DecapResult.OuterTruncated, Ipip(packet[..^1]).Item1);
        Assert.Equal(DecapResult.OuterTruncated, Ipip(packet[..19]).Item1);
        Assert.Equal(DecapResult.OuterTruncated, Ipip([]).Item1);
    }

    [Fact]
    public void Ipip_OuterNotIpv4OrBadIhl_OuterMalformed()
    {
        byte[] v6 = TestPackets.Ipip(Inner(Vip));
        v6[0] = 0x65;
        Assert.Equal(DecapResult.OuterMalformed, Ipip(v6).Item1);
        byte[] ihl = TestPackets.Ipip(Inner(Vip));
        ihl[0] = 0x44;
        Assert.Equal(DecapResult.OuterMalformed, Ipip(ihl).Item1);
    }

    [Fact]
    public void Ipip_OuterProtocolGre_OuterWrongProtocol()
    {
        Assert.Equal(DecapResult.OuterWrongProtocol, Ipip(TestPackets.Gre(Inner(Vip))).Item1);
    }

    [Fact]
    public void Ipip_InnerCutShort_InnerTruncated()
    {
        byte[] inner = Inner(Vip);
        Assert.Equal(DecapResult.InnerTruncated, Ipip(TestPackets.Ipip(inner[..^2])).Item1);
        Assert.Equal(DecapResult.InnerTruncated, Ipip(TestPackets.Ipip(inner[..12])).Item1);
        Assert.Equal(DecapResult.InnerTruncated, Ipip(TestPackets.Ipip([])).Item1);
    }

    [Fact]
    public void Ipip_InnerIpv6_InnerNotIpv4()
    {
        byte[] inner = new byte[40];
        inner[0] = 0x60;
        Assert.Equal(DecapResult.InnerNotIpv4, Ipip(TestPackets.Ipip(inner)).Item1);
    }

    [Fact]
    public void Ipip_InnerIhlBelowFive_InnerMalformed()
    {
        byte[] inner = Inner(Vip);
        inner[0] = 0x44;
        Assert.Equal(DecapResult.InnerMalformed, Ipip(TestPackets.Ipip(inner)).Item1);
    }

    [Fact]
    public void Ipip_InnerHeaderChecksumWrong_InnerBadChecksum()
    {
        byte[] inner = Inner(Vip);
        inner[8] ^= 0x01; // TTL changed without the checksum
        Assert.Equal(DecapResult.InnerBadChecksum, Ipip(TestPackets.Ipip(inner)).Item1);
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    [InlineData(true, true, true)]
    public void Gre_FlagCombinations_DeliverInnerBytes(bool c, bool k, bool s)
    {
        byte[] inner = Inner(Vip);
        var (result, got) = Gre(TestPackets.Gre(inner, c, k, s));
        Assert.Equal(DecapResult.Deliver, result);
        Assert.Equal(inner, got);
    }

    [Fact]
    public void Gre_ChecksumWrong_GreBadChecksum()
    {
        byte[] gre = GreHeaderAndPayload(Inner(Vip), c: true);
        gre[^1] ^= 0x55;
        Assert.Equal(DecapResult.GreBadChecksum, Gre(Ipv4(Director, RealServer, 47, gre)).Item1);
    }

    [Fact]
    public void Gre_VersionOne_GreBadVersion()
    {
        byte[] gre = GreHeaderAndPayload(Inner(Vip));
        gre[1] = 0x01;
        Assert.Equal(DecapResult.GreBadVersion, Gre(Ipv4(Director, RealServer, 47, gre)).Item1);
    }

    [Fact]
    public void Gre_RoutingBit_GreRouting()
    {
        byte[] gre = GreHeaderAndPayload(Inner(Vip));
        gre[0] |= 0x40;
        Assert.Equal(DecapResult.GreRouting, Gre(Ipv4(Director, RealServer, 47, gre)).Item1);
    }

    [Fact]
    public void Gre_ProtocolIpv6OrEthernet_GreBadProtocol()
    {
        Assert.Equal(DecapResult.GreBadProtocol, Gre(Ipv4(Director, RealServer, 47, GreHeaderAndPayload(Inner(Vip), protocol: 0x86DD))).Item1);
        Assert.Equal(DecapResult.GreBadProtocol, Gre(Ipv4(Director, RealServer, 47, GreHeaderAndPayload(Inner(Vip), protocol: 0x6558))).Item1);
    }

    [Fact]
    public void Gre_ShorterThanFlaggedWords_GreTruncated()
    {
        byte[] gre = [0xB0, 0, 0x08, 0, 0, 0, 0, 0];
        Assert.Equal(DecapResult.GreTruncated, Gre(Ipv4(Director, RealServer, 47, gre)).Item1);
        Assert.Equal(DecapResult.GreTruncated, Gre(Ipv4(Director, RealServer, 47, [0, 0])).Item1);
    }

    [Fact]
    public void Gre_InnerForAnotherAddress_NotOurVip()
    {
        Assert.Equal(DecapResult.NotOurVip, Gre(TestPackets.Gre(Inner(OtherVip), c: true)).Item1);
    }

    [Fact]
    public void Gue_NoOptions_DeliversInnerBytes()
    {
        byte[] inner = Inner(Vip);
        var (result, got) = Gue(TestPackets.Gue(inner));
        Assert.Equal(DecapResult.Deliver, result);
        Assert.Equal(inner, got);
    }

    [Fact]
    public void Gue_Remcsum_CompletesInnerUdpChecksum()
    {
        byte[] full = Inner(Vip, "remote checksum offload");
        byte[] partial = Inner(Vip, "remote checksum offload", partial: true);
        Assert.NotEqual(full, partial);

        // ipvs_gue_encap: start = transport header offset, offset = start + csum_offset (UDP: 6).
        var (result, got) = Gue(TestPackets.Gue(partial, (20, 26)));

        Assert.Equal(DecapResult.Deliver, result);
        Assert.Equal(full, got);
        ulong sum = Checksum.Add(got.AsSpan(20), Checksum.PseudoHeader(Client, Vip, 17, got.Length - 20));
        Assert.Equal(0xFFFF, Checksum.Fold(sum));
    }

    [Fact]
    public void Gue_RemcsumForAnotherVip_DroppedAndLeftUnchanged()
    {
        byte[] gue = TestPackets.Gue(Inner(OtherVip, partial: true), (20, 26));
        byte[] before = (byte[])gue.Clone();
        Assert.Equal(DecapResult.NotOurVip, Gue(gue).Item1);
        Assert.Equal(before, gue);
    }

    [Theory]
    [InlineData(20, 200)] // field past the end
    [InlineData(21, 26)]  // odd start
    [InlineData(20, 27)]  // odd offset
    [InlineData(26, 20)]  // field before the summed range
    [InlineData(10, 16)]  // sum starting inside the IPv4 header
    public void Gue_RemcsumOutOfRange_GueBadRemcsum(ushort start, ushort offset)
    {
        Assert.Equal(DecapResult.GueBadRemcsum, Gue(TestPackets.Gue(Inner(Vip, partial: true), (start, offset))).Item1);
    }

    [Fact]
    public void Gue_VariantOneDirectIpv4_DeliversWholePayload()
    {
        byte[] inner = Inner(Vip);
        var (result, got) = Gue(inner);
        Assert.Equal(DecapResult.Deliver, result);
        Assert.Equal(inner, got);
    }

    [Theory]
    [InlineData(0x80, DecapResult.GueBadVersion)]
    [InlineData(0xC0, DecapResult.GueBadVersion)]
    [InlineData(0x20, DecapResult.GueControl)]
    [InlineData(0x1F, DecapResult.GueTruncated)]
    public void Gue_BadFirstByte_DroppedWithReason(byte first, DecapResult expected)
    {
        byte[] gue = TestPackets.Gue(Inner(Vip));
        gue[0] = first;
        Assert.Equal(expected, Gue(gue).Item1);
    }

    [Fact]
    public void Gue_ProtocolNotIpip_GueBadProtocol()
    {
        byte[] gue = TestPackets.Gue(Inner(Vip));
        gue[1] = 41;
        Assert.Equal(DecapResult.GueBadProtocol, Gue(gue).Item1);
    }

    [Fact]
    public void Gue_UnknownFlags_GueBadFlags()
    {
        byte[] standard = TestPackets.Gue(Inner(Vip));
        standard[2] = 0x80;
        Assert.Equal(DecapResult.GueBadFlags, Gue(standard).Item1);
        byte[] priv = TestPackets.Gue(Inner(Vip, partial: true), (20, 26));
        priv[7] = 0x01;
        Assert.Equal(DecapResult.GueBadFlags, Gue(priv).Item1);
    }

    [Fact]
    public void Gue_FlagsNeedMoreThanHlen_GueBadHeaderLength()
    {
        // P set but no option words.
        byte[] noPrivate = TestPackets.Gue(Inner(Vip));
        noPrivate[3] = 0x01;
        Assert.Equal(DecapResult.GueBadHeaderLength, Gue(noPrivate).Item1);

        // REMCSUM set but hlen covers only the private flags word.
        byte[] inner = Inner(Vip);
        byte[] gue = [0x01, 4, 0x00, 0x01, 0x80, 0, 0, 0, .. inner];
        Assert.Equal(DecapResult.GueBadHeaderLength, Gue(gue).Item1);
    }

    [Fact]
    public void Gue_PrivateFlagsWithoutRemcsum_Delivers()
    {
        byte[] inner = Inner(Vip);
        var (result, got) = Gue([0x01, 4, 0x00, 0x01, 0, 0, 0, 0, .. inner]);
        Assert.Equal(DecapResult.Deliver, result);
        Assert.Equal(inner, got);
    }

    [Fact]
    public void Gue_TooShort_GueTruncated()
    {
        Assert.Equal(DecapResult.GueTruncated, Gue([]).Item1);
        Assert.Equal(DecapResult.GueTruncated, Gue([0, 4, 0]).Item1);
    }

    [Fact]
    public void GueInIpv4_UdpChecksumZeroOrValid_Delivers()
    {
        byte[] inner = Inner(Vip);
        foreach (bool checksum in new[] { false, true })
        {
            byte[] packet = TestPackets.GueInIpv4(TestPackets.Gue(inner), checksum: checksum);
            DecapResult result = Decapsulator.GueInIpv4(packet, Vips, out int offset, out int length);
            Assert.Equal(DecapResult.Deliver, result);
            Assert.Equal(inner, packet.AsSpan(offset, length).ToArray());
        }
    }

    [Fact]
    public void GueInIpv4_UdpChecksumWrong_UdpBadChecksum()
    {
        byte[] packet = TestPackets.GueInIpv4(TestPackets.Gue(Inner(Vip)), checksum: true);
        packet[^1] ^= 0x10;
        Assert.Equal(DecapResult.UdpBadChecksum, Decapsulator.GueInIpv4(packet, Vips, out _, out _));
    }

    [Fact]
    public void GueInIpv4_UdpLengthPastPacket_UdpMalformed()
    {
        byte[] packet = TestPackets.GueInIpv4(TestPackets.Gue(Inner(Vip)));
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(24), (ushort)(packet.Length));
        Assert.Equal(DecapResult.UdpMalformed, Decapsulator.GueInIpv4(packet, Vips, out _, out _));
    }

    [Fact]
    public void Decapsulate_EachType_MatchesItsParser()
    {
        byte[] inner = Inner(Vip);
        Assert.Equal(DecapResult.Deliver, Decapsulator.Decapsulate(TunnelType.Ipip, TestPackets.Ipip(inner), Vips, out _, out _));
        Assert.Equal(DecapResult.Deliver, Decapsulator.Decapsulate(TunnelType.Gre, TestPackets.Gre(inner), Vips, out _, out _));
        Assert.Equal(DecapResult.Deliver, Decapsulator.Decapsulate(TunnelType.Gue, TestPackets.Gue(inner), Vips, out _, out _));
        Assert.Equal(DecapResult.OuterWrongProtocol, Decapsulator.Decapsulate(TunnelType.Ipip, TestPackets.Gre(inner), Vips, out _, out _));
    }

    [Fact]
    public void DecapResultNames_EveryValue_HasADistinctName()
    {
        var names = Enum.GetValues<DecapResult>().Select(r => r.Name()).ToList();
        Assert.Equal(Enum.GetValues<DecapResult>().Length, DecapResultNames.Count);
        Assert.Equal(names.Count, names.Distinct().Count());
    }
}
