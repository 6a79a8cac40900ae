using System.Net;
using Lvs.Linux.Netlink;

namespace Lvs.Linux.Tests.Netlink;

public sealed class Ip6Tests
{
    [Theory]
    [InlineData("2001:db8:c::1")]
    [InlineData("fe80::1ff:fe23:4567:890a")]
    [InlineData("::")]
    [InlineData("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]
    public void FromIPAddress_RoundTrips_TextBytesAndIPAddress(string text)
    {
        var address = IPAddress.Parse(text);

        var ip = Ip6.FromIPAddress(address);
        Span<byte> bytes = stackalloc byte[16];
        ip.WriteTo(bytes);

        Assert.Equal(address.GetAddressBytes(), bytes.ToArray());
        Assert.Equal(ip, new Ip6(bytes));
        Assert.Equal(address, ip.ToIPAddress());
        Assert.Equal(text, ip.ToString());
    }

    [Fact]
    public void FromIPAddress_IPv4_Throws() =>
        Assert.Throws<ArgumentException>(() => Ip6.FromIPAddress(IPAddress.Parse("192.0.2.1")));

    [Theory]
    [InlineData("2001:db8:c::1:2:3:4", 0, "::")]
    [InlineData("2001:db8:c::1:2:3:4", 48, "2001:db8:c::")]
    [InlineData("2001:db8:c:0:1:2:3:4", 64, "2001:db8:c::")]
    [InlineData("2001:db8:c:0:1:2:3:4", 65, "2001:db8:c::")]
    [InlineData("2001:db8:c:0:ffff:2:3:4", 72, "2001:db8:c:0:ff00::")]
    [InlineData("2001:db8:c::1:2:3:4", 127, "2001:db8:c:0:1:2:3:4")]
    [InlineData("2001:db8:c::1:2:3:5", 128, "2001:db8:c:0:1:2:3:5")]
    public void Mask_PrefixLength_ClearsHostBits(string address, int length, string expected) =>
        Assert.Equal(Ip6.Parse(expected), Ip6.Parse(address).Mask(length));

    [Fact]
    public void Classification_LinkLocalMulticastLoopback()
    {
        Assert.True(Ip6.Parse("fe80::1").IsLinkLocal);
        Assert.True(Ip6.Parse("febf::1").IsLinkLocal);
        Assert.False(Ip6.Parse("fec0::1").IsLinkLocal);
        Assert.False(Ip6.Parse("2001:db8::1").IsLinkLocal);
        Assert.True(Ip6.Parse("ff02::1:ff00:1").IsMulticast);
        Assert.True(Ip6.Loopback.IsLoopback);
        Assert.True(default(Ip6).IsUnspecified);
    }

    [Fact]
    public void CommonPrefixLength_CountsLeadingEqualBits()
    {
        Assert.Equal(128, Ip6.Parse("2001:db8::1").CommonPrefixLength(Ip6.Parse("2001:db8::1")));
        Assert.Equal(126, Ip6.Parse("2001:db8::1").CommonPrefixLength(Ip6.Parse("2001:db8::2")));
        Assert.Equal(45, Ip6.Parse("2001:db8:c::").CommonPrefixLength(Ip6.Parse("2001:db8:b::")));
        Assert.Equal(0, Ip6.Parse("2001::").CommonPrefixLength(Ip6.Parse("fe80::")));
    }

    [Fact]
    public void CompareTo_OrdersAsNetworkBytes()
    {
        Assert.True(Ip6.Parse("2001:db8::ffff") < Ip6.Parse("2001:db8:0:1::"));
        Assert.True(Ip6.Parse("8000::") > Ip6.Parse("7fff::ffff"));
        Assert.Equal(0, Ip6.Parse("::1").CompareTo(Ip6.Loopback));
    }
}
