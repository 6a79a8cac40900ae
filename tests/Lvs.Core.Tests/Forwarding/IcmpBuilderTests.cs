using Lvs.Core.Forwarding;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;
using static Lvs.Core.Tests.Forwarding.TunnelTestData;

namespace Lvs.Core.Tests.Forwarding;

public class IcmpBuilderTests
{
    /// <summary>
    /// From 192.0.2.30 to 198.51.100.2, TOS 0xc0, ID 0, no DF, TTL 64: type 3 code 4, MTU 1480,
    /// quoting the whole 40-byte TUN inner SYN (derived by TestSupport/golden-direct-return.py).
    /// </summary>
    private const string FragNeededHex =
        "45c000440000000040018da5c000021ec6336402" + "0304e3a2000005c8" + GoldenPackets.TunInnerHex;

    [Fact]
    public void FragmentationNeeded_SmallOffendingPacket_GoldenBytes()
    {
        byte[] output = new byte[IcmpBuilder.MaxErrorLength];

        int length = IcmpBuilder.FragmentationNeeded(output, Convert.FromHexString(GoldenPackets.TunInnerHex), 1480, Vip);

        Assert.Equal(FragNeededHex, Convert.ToHexStringLower(output.AsSpan(0, length)));
    }

    [Fact]
    public void FragNeededGolden_VerifiesWithReferenceChecksums()
    {
        byte[] packet = Convert.FromHexString(FragNeededHex);

        Assert.True(PacketBuilder.Ipv4HeaderChecksumValid(packet));
        Assert.Equal(0xFFFF, PacketBuilder.FoldedSum(packet.AsSpan(20)));
    }

    [Fact]
    public void FragmentationNeeded_FullSizeOffendingPacket_QuotesAtMost576Bytes()
    {
        byte[] offending = TcpInner(1500);
        byte[] output = new byte[2000];
        output.AsSpan().Fill(0xA5);

        int length = IcmpBuilder.FragmentationNeeded(output, offending, 1468, Vip);

        Assert.Equal(576, length);
        byte[] p = output[..length];
        Assert.Equal(0x45, p[0]);
        Assert.Equal(576, Word(p, 2));
        Assert.Equal(0, Word(p, 6) & 0x4000);
        Assert.Equal(1, p[9]);
        Assert.True(PacketBuilder.Ipv4HeaderChecksumValid(p));
        Assert.Equal(Ipv4.Format(Vip), $"{p[12]}.{p[13]}.{p[14]}.{p[15]}");
        Assert.Equal(Ipv4.Format(Client), $"{p[16]}.{p[17]}.{p[18]}.{p[19]}"); // back to the offending packet's source
        Assert.Equal((3, 4), (p[20], p[21]));
        Assert.Equal(0, Word(p, 24));    // unused
        Assert.Equal(1468, Word(p, 26)); // next-hop MTU (RFC 1191)
        Assert.Equal(0xFFFF, PacketBuilder.FoldedSum(p.AsSpan(20)));
        Assert.Equal(offending[..(576 - 28)], p[28..]);
        Assert.All(output[length..], b => Assert.Equal(0xA5, b));
    }

    [Fact]
    public void FragmentationNeeded_OffendingFromAnotherClient_AddressedToIt()
    {
        byte[] offending = PacketBuilder.Tcp(Ipv4.Parse("198.51.100.77"), 1234, Vip, 80, 0x10, payload: new byte[100])[14..];
        byte[] output = new byte[IcmpBuilder.MaxErrorLength];

        int length = IcmpBuilder.FragmentationNeeded(output, offending, 1400, Ipv4.Parse("192.0.2.99"));

        Assert.Equal(28 + offending.Length, length);
        Assert.Equal([198, 51, 100, 77], output[16..20]);
        Assert.Equal([192, 0, 2, 99], output[12..16]);
        Assert.Equal(1400, Word(output, 26));
        Assert.Equal(0xFFFF, PacketBuilder.FoldedSum(output.AsSpan(20, length - 20)));
    }
}
