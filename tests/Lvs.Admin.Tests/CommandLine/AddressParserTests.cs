using Lvs.Admin.CommandLine;

namespace Lvs.Admin.Tests.CommandLine;

public class AddressParserTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("65535", 65535)]
    [InlineData("  42", 42)]
    [InlineData("+7", 7)]
    [InlineData("-0", 0)]
    [InlineData("65536", -1)]
    [InlineData("-1", -1)]
    [InlineData("", -1)]
    [InlineData(" ", -1)]
    [InlineData("12 ", -1)]
    [InlineData("1e3", -1)]
    [InlineData("0x10", -1)]
    [InlineData("99999999999999999999999", -1)]
    public void StringToNumber_StrtolRules_MatchIpvsadm(string text, int expected) =>
        Assert.Equal(expected, AddressParser.StringToNumber(text, 0, 65535));

    [Theory]
    [InlineData("192.0.2.10", 0xC000020Au)]
    [InlineData("10.1", 0x0A000001u)]
    [InlineData("10.0.1", 0x0A000001u)]
    [InlineData("167772161", 0x0A000001u)]
    [InlineData("0x0a000001", 0x0A000001u)]
    [InlineData("012.0.0.1", 0x0A000001u)]
    [InlineData("1.2.3.4 trailing", 0x01020304u)]
    public void TryInetAton_ValidForms_Parse(string text, uint expected)
    {
        Assert.True(AddressParser.TryInetAton(text, out uint address));
        Assert.Equal(expected, address);
    }

    [Theory]
    [InlineData("")]
    [InlineData("256.0.0.1")]
    [InlineData("1.2.3.4.5")]
    [InlineData("1.2.3.")]
    [InlineData("08.0.0.1")]
    [InlineData("a.b.c.d")]
    [InlineData("1.2.3.256")]
    [InlineData("10.16777216")]
    [InlineData("0x")]
    public void TryInetAton_Invalid_Fails(string text) => Assert.False(AddressParser.TryInetAton(text, out _));

    [Theory]
    [InlineData("192.0.2.10:80", "192.0.2.10", false, 80)]
    [InlineData("192.0.2.10", "192.0.2.10", false, null)]
    [InlineData("192.0.2.10:http", "192.0.2.10", false, 80)]
    [InlineData("web.example:443", "203.0.113.5", false, 443)]
    [InlineData("[2001:db8:a::10]:80", "2001:db8:a::10", true, 80)]
    [InlineData("2001:db8:a::10", "2001:db8:a::10", true, null)]
    [InlineData("[1.2.3.4]:80", "1.2.3.4", false, null)]
    [InlineData("10.1:8080", "10.0.0.1", false, 8080)]
    public void ParseService_Forms_AsIpvsadm(string text, string address, bool v6, int? port)
    {
        ServiceAddress? parsed = AddressParser.ParseService(text, "tcp", TestParsers.Resolve, TestParsers.Services);

        Assert.Equal(new ServiceAddress(address, v6, port is null ? null : (ushort)port), parsed);
    }

    [Theory]
    [InlineData("80")]
    [InlineData("")]
    [InlineData(":80")]
    [InlineData("192.0.2.10:")]
    [InlineData("192.0.2.10:65536")]
    [InlineData("192.0.2.10:domain")]
    [InlineData("[2001:db8::1]")]
    [InlineData("[2001:db8::1")]
    [InlineData("v6only.example:80")]
    [InlineData("fe80::1%eth0")]
    public void ParseService_Invalid_ReturnsNull(string text) =>
        Assert.Null(AddressParser.ParseService(text, "tcp", TestParsers.Resolve, TestParsers.Services));

    [Fact]
    public void ParseService_PortNameWithoutProtocol_ReturnsNull() =>
        Assert.Null(AddressParser.ParseService("10.0.0.11:http", null, TestParsers.Resolve, TestParsers.Services));

    [Fact]
    public void ServicesDatabase_AliasesAndFirstEntry_AsGetservby()
    {
        Assert.Equal(80, TestParsers.Services.PortOf("www", "tcp"));
        Assert.Equal(-1, TestParsers.Services.PortOf("domain", "tcp"));
        Assert.Equal("http", TestParsers.Services.NameOf(80, "tcp"));
        Assert.Null(TestParsers.Services.NameOf(8080, "tcp"));
    }
}
