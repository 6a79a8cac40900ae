using Lvs.Vrrp.Packets;

namespace Lvs.Vrrp.Tests.Packets;

public class VrrpCodecTests
{
    private static readonly byte[] Src4 = [198, 51, 100, 2];
    private static readonly byte[] Group4 = [224, 0, 0, 18];
    private static readonly byte[] Vip4 = [192, 0, 2, 10];
    private static readonly byte[] Src6 = [0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2];
    private static readonly byte[] Group6 = [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12];
    private static readonly byte[] Vip6 = [0x20, 0x01, 0x0d, 0xb8, 0, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10];

    /// <summary>RFC 1071 by the book, 16-bit words, independent of the code under test.</summary>
    private static ushort Rfc1071(params byte[][] parts)
    {
        byte[] all = [.. parts.SelectMany(p => p)];
        uint sum = 0;
        for (int i = 0; i < all.Length; i += 2)
        {
            sum += (uint)((all[i] << 8) | (i + 1 < all.Length ? all[i + 1] : 0));
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    /// <summary>RFC 3768 §5.1: v2, type 1, VRID 51, priority 100, one address, auth PASS "secret", 1 s.</summary>
    private static byte[] HandBuiltV2()
    {
        byte[] m =
        [
            0x21, 51, 100, 1,
            1, 1, 0, 0,
            192, 0, 2, 10,
            (byte)'s', (byte)'e', (byte)'c', (byte)'r', (byte)'e', (byte)'t', 0, 0,
        ];
        ushort c = Rfc1071(m);
        m[6] = (byte)(c >> 8);
        m[7] = (byte)c;
        return m;
    }

    private static byte[] PseudoV4(byte[] src, byte[] dst, int length) => [.. src, .. dst, 0, 112, (byte)(length >> 8), (byte)length];

    private static byte[] PseudoV6(byte[] src, byte[] dst, int length) =>
        [.. src, .. dst, (byte)(length >> 24), (byte)(length >> 16), (byte)(length >> 8), (byte)length, 0, 0, 0, 112];

    [Fact]
    public void Write_V2Pass_MatchesHandBuiltPacket()
    {
        byte[] buffer = new byte[64];
        int n = VrrpCodec.Write(buffer, VrrpVersion.V2, 51, 100, 100, Vip4, 1, "secret"u8, Src4, Group4);
        Assert.Equal(HandBuiltV2(), buffer[..n]);
    }

    [Fact]
    public void Write_V3Ipv4_ChecksumCoversPseudoHeader()
    {
        // v3, VRID 7, priority 200, 1 address, Max Adver Int 10 cs (0.1 s).
        byte[] m = [0x31, 7, 200, 1, 0x00, 10, 0, 0, 192, 0, 2, 10];
        ushort c = Rfc1071(PseudoV4(Src4, Group4, m.Length), m);
        m[6] = (byte)(c >> 8);
        m[7] = (byte)c;

        byte[] buffer = new byte[64];
        int n = VrrpCodec.Write(buffer, VrrpVersion.V3, 7, 200, 10, Vip4, 0, [], Src4, Group4);
        Assert.Equal(m, buffer[..n]);
        Assert.NotEqual(Rfc1071([.. m[..6], 0, 0, .. m[8..]]), c);
    }

    [Fact]
    public void Write_V3Ipv6_ChecksumCoversPseudoHeader()
    {
        // v3, VRID 9, priority 150, 1 IPv6 address, 100 cs; 0x0FFF caps the 12-bit field.
        byte[] m = [0x31, 9, 150, 1, 0x00, 100, 0, 0, .. Vip6];
        ushort c = Rfc1071(PseudoV6(Src6, Group6, m.Length), m);
        m[6] = (byte)(c >> 8);
        m[7] = (byte)c;

        byte[] buffer = new byte[64];
        int n = VrrpCodec.Write(buffer, VrrpVersion.V3, 9, 150, 100, Vip6, 0, [], Src6, Group6);
        Assert.Equal(m, buffer[..n]);
        Assert.Equal(VrrpDropReason.None, VrrpCodec.TryParse(m, Src6, Group6, 255, out VrrpAdvert a));
        Assert.Equal(9, a.Vrid);
        Assert.Equal(150, a.Priority);
        Assert.Equal(100, a.IntervalCentiseconds);
        Assert.Equal(Vip6, a.Address(0).ToArray());
    }

    [Fact]
    public void TryParseIpv4_HandBuiltV2_ReadsEveryField()
    {
        byte[] m = HandBuiltV2();
        byte[] packet = [0x45, 0xC0, 0, (byte)(20 + m.Length), 0, 0, 0, 0, 255, 112, 0, 0, .. Src4, .. Group4, .. m];
        Assert.Equal(VrrpDropReason.None, VrrpCodec.TryParseIpv4(packet, out VrrpAdvert a));
        Assert.Equal(VrrpVersion.V2, a.Version);
        Assert.Equal(51, a.Vrid);
        Assert.Equal(100, a.Priority);
        Assert.Equal(1, a.Count);
        Assert.Equal(1, a.AuthType);
        Assert.Equal(100, a.IntervalCentiseconds);
        Assert.Equal(Src4, a.Source.ToArray());
        Assert.Equal("secret\0\0"u8.ToArray(), a.AuthData.ToArray());
        Assert.Equal(VrrpDropReason.None, VrrpValidation.Check(a, VrrpVersion.V2, Vip4, 100, "secret"u8));
    }

    [Fact]
    public void WriteIpv4_ThenParse_RoundTrips()
    {
        byte[] buffer = new byte[128];
        int n = VrrpCodec.WriteIpv4(buffer, VrrpVersion.V3, 42, 254, 4095, [.. Vip4, 192, 0, 2, 11], 0, [], Src4, Group4);
        Assert.Equal(VrrpDropReason.None, VrrpCodec.TryParseIpv4(buffer.AsSpan(0, n), out VrrpAdvert a));
        Assert.Equal(42, a.Vrid);
        Assert.Equal(4095, a.IntervalCentiseconds);
        Assert.Equal(2, a.Count);
    }

    [Fact]
    public void TryParse_TtlNot255_WrongTtl()
    {
        byte[] m = HandBuiltV2();
        Assert.Equal(VrrpDropReason.WrongTtl, VrrpCodec.TryParse(m, Src4, Group4, 254, out _));
    }

    [Fact]
    public void TryParse_HopLimitNot255_WrongTtl()
    {
        byte[] buffer = new byte[64];
        int n = VrrpCodec.Write(buffer, VrrpVersion.V3, 9, 150, 100, Vip6, 0, [], Src6, Group6);
        Assert.Equal(VrrpDropReason.WrongTtl, VrrpCodec.TryParse(buffer.AsSpan(0, n), Src6, Group6, 64, out _));
    }

    [Fact]
    public void TryParse_FlippedBit_BadChecksum()
    {
        byte[] m = HandBuiltV2();
        m[2] ^= 1;
        Assert.Equal(VrrpDropReason.BadChecksum, VrrpCodec.TryParse(m, Src4, Group4, 255, out _));
    }

    [Fact]
    public void TryParse_V3WrongPseudoHeaderDestination_BadChecksum()
    {
        byte[] buffer = new byte[64];
        int n = VrrpCodec.Write(buffer, VrrpVersion.V3, 7, 200, 10, Vip4, 0, [], Src4, Group4);
        Assert.Equal(VrrpDropReason.BadChecksum, VrrpCodec.TryParse(buffer.AsSpan(0, n), Src4, [198, 51, 100, 3], 255, out _));
    }

    [Theory]
    [InlineData(0x11, VrrpDropReason.WrongVersion)]
    [InlineData(0x41, VrrpDropReason.WrongVersion)]
    [InlineData(0x22, VrrpDropReason.WrongType)]
    public void TryParse_BadVersionOrType_Dropped(byte first, VrrpDropReason expected)
    {
        byte[] m = HandBuiltV2();
        m[0] = first;
        Assert.Equal(expected, VrrpCodec.TryParse(m, Src4, Group4, 255, out _));
    }

    [Fact]
    public void TryParse_V2OverIpv6_WrongVersion()
    {
        byte[] m = [0x21, 1, 100, 1, 0, 1, 0, 0, .. Vip6, 0, 0, 0, 0, 0, 0, 0, 0];
        Assert.Equal(VrrpDropReason.WrongVersion, VrrpCodec.TryParse(m, Src6, Group6, 255, out _));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(0)]
    public void TryParse_CountDisagreesWithLength_LengthMismatch(byte count)
    {
        byte[] m = HandBuiltV2();
        m[3] = count;
        Assert.Equal(VrrpDropReason.LengthMismatch, VrrpCodec.TryParse(m, Src4, Group4, 255, out _));
        Assert.Equal(VrrpDropReason.LengthMismatch, VrrpCodec.TryParse([.. HandBuiltV2(), 0], Src4, Group4, 255, out _));
    }

    [Fact]
    public void TryParse_Truncated_TooShort()
    {
        Assert.Equal(VrrpDropReason.TooShort, VrrpCodec.TryParse(HandBuiltV2()[..7], Src4, Group4, 255, out _));
        Assert.Equal(VrrpDropReason.TooShort, VrrpCodec.TryParseIpv4(new byte[19], out _));
    }

    [Fact]
    public void TryParseIpv4_OtherProtocolOrTotalLengthBeyondData_Dropped()
    {
        byte[] m = HandBuiltV2();
        byte[] packet = [0x45, 0, 0, (byte)(20 + m.Length), 0, 0, 0, 0, 255, 6, 0, 0, .. Src4, .. Group4, .. m];
        Assert.Equal(VrrpDropReason.BadIpHeader, VrrpCodec.TryParseIpv4(packet, out _));
        packet[9] = 112;
        packet[3] += 1;
        Assert.Equal(VrrpDropReason.LengthMismatch, VrrpCodec.TryParseIpv4(packet, out _));
    }

    [Fact]
    public void Check_EachMismatch_ItsReason()
    {
        byte[] m = HandBuiltV2();
        Assert.Equal(VrrpDropReason.None, VrrpCodec.TryParse(m, Src4, Group4, 255, out VrrpAdvert a));
        Assert.Equal(VrrpDropReason.WrongVersion, VrrpValidation.Check(a, VrrpVersion.V3, Vip4, 100, []));
        Assert.Equal(VrrpDropReason.AuthTypeMismatch, VrrpValidation.Check(a, VrrpVersion.V2, Vip4, 100, []));
        Assert.Equal(VrrpDropReason.AuthMismatch, VrrpValidation.Check(a, VrrpVersion.V2, Vip4, 100, "secreT"u8));
        Assert.Equal(VrrpDropReason.AddressCountMismatch, VrrpValidation.Check(a, VrrpVersion.V2, [.. Vip4, 192, 0, 2, 11], 100, "secret"u8));
        Assert.Equal(VrrpDropReason.AddressMismatch, VrrpValidation.Check(a, VrrpVersion.V2, [192, 0, 2, 11], 100, "secret"u8));
        Assert.Equal(VrrpDropReason.IntervalMismatch, VrrpValidation.Check(a, VrrpVersion.V2, Vip4, 200, "secret"u8));
    }

    [Fact]
    public void TryParse_RandomMutations_NeverThrowAndAcceptedOnesRoundTrip()
    {
        var random = new Random(7);
        byte[] buffer = new byte[64];
        int n = VrrpCodec.WriteIpv4(buffer, VrrpVersion.V2, 51, 100, 100, Vip4, 1, "secret"u8, Src4, Group4);
        for (int round = 0; round < 20_000; round++)
        {
            byte[] copy = buffer[..n];
            for (int k = random.Next(1, 4); k > 0; k--)
            {
                copy[random.Next(copy.Length)] ^= (byte)random.Next(1, 256);
            }

            int length = random.Next(4) == 0 ? random.Next(copy.Length + 1) : copy.Length;
            VrrpDropReason r = VrrpCodec.TryParseIpv4(copy.AsSpan(0, length), out VrrpAdvert a);
            if (r == VrrpDropReason.None)
            {
                _ = VrrpValidation.Check(a, VrrpVersion.V2, Vip4, 100, "secret"u8);
                Assert.Equal(255, copy[8]);
            }
        }
    }
}
