using System.Buffers.Binary;
using Lvs.Core.Packets;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests.Packets;

public class Ipv6AddressTests
{
    [Theory]
    [InlineData("2001:db8:a::1", 0x20010DB8000A0000UL, 1UL)]
    [InlineData("::", 0UL, 0UL)]
    [InlineData("ff02::1:ff00:1", 0xFF02000000000000UL, 0x00000001FF000001UL)]
    [InlineData("fd00::ffff:ffff:ffff:ffff", 0xFD00000000000000UL, ulong.MaxValue)]
    public void TryParse_Text_GivesBigEndianHalves(string text, ulong high, ulong low)
    {
        Assert.True(Ipv6Address.TryParse(text, out Ipv6Address address));
        Assert.Equal(high, address.High);
        Assert.Equal(low, address.Low);
    }

    [Theory]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1")]
    [InlineData("2001:DB8::A", "2001:db8::a")]
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")] // RFC 5952 §4.2.3: the first of equal runs
    [InlineData("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1")] // §4.2.2: a single zero is not compressed
    [InlineData("::ffff:192.0.2.1", "::ffff:192.0.2.1")]
    [InlineData("0:0:0:0:0:0:0:0", "::")]
    public void ToString_Rfc5952_Canonical(string text, string expected)
    {
        Assert.Equal(expected, Ipv6Address.Parse(text).ToString());
    }

    [Theory]
    [InlineData("192.0.2.1")]
    [InlineData("fe80::1%eth0")]
    [InlineData("fe80::1%2")]
    [InlineData("::1%")]
    [InlineData("[::1]")]
    [InlineData("[::1]:80")]
    [InlineData("::1/64")]
    [InlineData("2001:db8::g")]
    [InlineData("2001:db8:::1")]
    [InlineData("1:2:3:4:5:6:7:8:9")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_NotAnIpv6Address_Refused(string? text)
    {
        Assert.False(Ipv6Address.TryParse(text, out _));
    }

    [Fact]
    public void Parse_Garbage_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => Ipv6Address.Parse("not-an-address"));
    }

    [Fact]
    public void ReadFromWriteTo_RoundTrip_SameBytes()
    {
        byte[] bytes = Ipv6PacketBuilder.Address("2001:db8:b::1234:5678");
        var address = Ipv6Address.ReadFrom(bytes);
        byte[] written = new byte[16];
        address.WriteTo(written);

        Assert.Equal(bytes, written);
        Assert.Equal(Ipv6Address.Parse("2001:db8:b::1234:5678"), address);
    }

    [Fact]
    public void Equality_SameAndDifferentAddresses_AsExpected()
    {
        Ipv6Address a = Ipv6Address.Parse("2001:db8:a::1");
        Ipv6Address b = Ipv6Address.Parse("2001:db8:a:0::1");
        Ipv6Address c = Ipv6Address.Parse("2001:db8:a::2");

        Assert.True(a == b);
        Assert.True(a != c);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.False(a.Equals(c));
        Assert.False(a.Equals((object)"2001:db8:a::1"));
        Assert.True(a.CompareTo(c) < 0);
        Assert.True(Ipv6Address.Parse("2001:db8:b::").CompareTo(c) > 0);
    }

    [Fact]
    public void GetHashCode_AddressesInOneSlash64_Spread()
    {
        var seen = new HashSet<int>();
        for (ulong i = 0; i < 4096; i++)
        {
            seen.Add(new Ipv6Address(0x20010DB8000C0000UL, i).GetHashCode() & 1023);
        }

        // 4096 consecutive hosts into 1024 buckets: a weak hash would pile them into a few.
        Assert.True(seen.Count > 1000, $"{seen.Count} buckets used");
    }

    [Fact]
    public void FromIPv4_Address_IsMappedAndRoundTrips()
    {
        Ipv6Address mapped = Ipv6Address.FromIPv4(PacketBuilder.Ip("192.0.2.1"));

        Assert.True(mapped.IsIPv4Mapped);
        Assert.Equal("::ffff:192.0.2.1", mapped.ToString());
        Assert.Equal(PacketBuilder.Ip("192.0.2.1"), mapped.ToIPv4());
    }

    [Theory]
    [InlineData("::192.0.2.1")]
    [InlineData("2001:db8::ffff:c000:201")]
    [InlineData("::")]
    public void ToIPv4_NotMapped_Throws(string text)
    {
        Ipv6Address address = Ipv6Address.Parse(text);

        Assert.False(address.IsIPv4Mapped);
        Assert.Throws<InvalidOperationException>(() => address.ToIPv4());
    }

    [Theory]
    [InlineData(0, "::")]
    [InlineData(1, "8000::")]
    [InlineData(48, "ffff:ffff:ffff::")]
    [InlineData(63, "ffff:ffff:ffff:fffe::")]
    [InlineData(64, "ffff:ffff:ffff:ffff::")]
    [InlineData(65, "ffff:ffff:ffff:ffff:8000::")]
    [InlineData(127, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")]
    [InlineData(128, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    public void PrefixMask_Length_LeadingOnes(int length, string expected)
    {
        Assert.Equal(Ipv6Address.Parse(expected), Ipv6Address.PrefixMask(length));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(129)]
    public void PrefixMask_OutOfRange_Throws(int length)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Ipv6Address.PrefixMask(length));
    }

    [Theory]
    [InlineData("2001:db8:c:1234:5678:9abc:def0:1", 64, "2001:db8:c:1234::")]
    [InlineData("2001:db8:c:1234:5678:9abc:def0:1", 56, "2001:db8:c:1200::")]
    [InlineData("2001:db8:c:1234:5678:9abc:def0:1", 128, "2001:db8:c:1234:5678:9abc:def0:1")]
    [InlineData("2001:db8:c:1234:5678:9abc:def0:1", 0, "::")]
    [InlineData("2001:db8:c:1234:5678:9abc:def0:1", 96, "2001:db8:c:1234:5678:9abc::")]
    public void And_PrefixLength_ClearsHostBits(string address, int length, string expected)
    {
        Assert.Equal(Ipv6Address.Parse(expected), Ipv6Address.Parse(address).And(length));
    }

    [Fact]
    public void Fold32_KnownAddress_XorOfWords()
    {
        // 2001:0db8 ^ 000c:0000 ^ 0000:0000 ^ 0000:0001
        Assert.Equal(0x200D0DB9u, Ipv6Address.Parse("2001:db8:c::1").Fold32());
    }

    [Fact]
    public void Fold32_RandomAddresses_EqualsKernelNtohlOfBigEndianXor()
    {
        // ip_vs_sh_hashkey: addr_fold = ip6[0]^ip6[1]^ip6[2]^ip6[3] over __be32 words, then ntohl.
        var random = new Random(5952);
        byte[] bytes = new byte[16];
        for (int n = 0; n < 1000; n++)
        {
            random.NextBytes(bytes);
            uint be = 0;
            for (int w = 0; w < 4; w++)
            {
                be ^= BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(w * 4)); // the word as it sits in memory on x86
            }

            Assert.Equal(BinaryPrimitives.ReverseEndianness(be), Ipv6Address.ReadFrom(bytes).Fold32());
        }
    }

    [Theory]
    [InlineData("ff02::1", true, false)]
    [InlineData("fe80::ff:fe00:a", false, true)]
    [InlineData("febf::1", false, true)]
    [InlineData("fec0::1", false, false)]
    [InlineData("2001:db8::1", false, false)]
    public void Classification_Addresses_MulticastAndLinkLocal(string text, bool multicast, bool linkLocal)
    {
        Ipv6Address address = Ipv6Address.Parse(text);

        Assert.Equal(multicast, address.IsMulticast);
        Assert.Equal(linkLocal, address.IsLinkLocal);
        Assert.False(address.IsUnspecified);
        Assert.True(Ipv6Address.Unspecified.IsUnspecified);
        Assert.Equal(Ipv6Address.Parse("ff02::1"), Ipv6Address.AllNodes);
    }
}
