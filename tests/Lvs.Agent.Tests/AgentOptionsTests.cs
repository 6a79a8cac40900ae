using System.Net;
using Lvs.Agent.Decap;

namespace Lvs.Agent.Tests;

public class AgentOptionsTests
{
    private static AgentOptions Parse(params string[] args) =>
        AgentOptions.Parse(args, out string? error) ?? throw new Xunit.Sdk.XunitException(error);

    private static string Fails(params string[] args)
    {
        Assert.Null(AgentOptions.Parse(args, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
        return error!;
    }

    [Fact]
    public void Parse_DrWithTwoVips_KeepsBothInOrder()
    {
        var o = Parse("dr", "--vip", "192.0.2.10", "--vip", "192.0.2.11", "--state", "/tmp/s.json");
        Assert.Equal(AgentCommand.Dr, o.Command);
        Assert.Equal([IPAddress.Parse("192.0.2.10"), IPAddress.Parse("192.0.2.11")], o.Vips);
        Assert.Equal("/tmp/s.json", o.StatePath);
    }

    [Fact]
    public void Parse_TunnelDefaults_IpipLvstun0Port6080()
    {
        var o = Parse("tunnel", "--vip", "192.0.2.10");
        Assert.Equal(TunnelType.Ipip, o.Type);
        Assert.Equal("lvstun0", o.Device);
        Assert.Equal(6080, o.Port);
        Assert.Null(o.StatePath);
        Assert.Equal(0, o.StatsInterval);
        Assert.False(o.ForceUserspace);
    }

    [Fact]
    public void Parse_TunnelGueWithEverything_AllSet()
    {
        var o = Parse("tunnel", "--vip", "192.0.2.10", "--type", "gue", "--port", "7000", "--device", "t1",
            "--stats-interval", "5", "--userspace");
        Assert.Equal(TunnelType.Gue, o.Type);
        Assert.Equal(7000, o.Port);
        Assert.Equal("t1", o.Device);
        Assert.Equal(5, o.StatsInterval);
        Assert.True(o.ForceUserspace);
    }

    [Theory]
    [InlineData("gre", TunnelType.Gre)]
    [InlineData("ipip", TunnelType.Ipip)]
    public void Parse_TunnelType_Recognised(string name, TunnelType expected)
    {
        Assert.Equal(expected, Parse("tunnel", "--vip", "192.0.2.10", "--type", name).Type);
    }

    [Fact]
    public void Parse_UndoWithState_NeedsNoVip()
    {
        var o = Parse("undo", "--state", "/tmp/x.json");
        Assert.Equal(AgentCommand.Undo, o.Command);
        Assert.Equal("/tmp/x.json", o.StatePath);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    public void Parse_Help_IsHelp(string flag)
    {
        Assert.Equal(AgentCommand.Help, Parse(flag).Command);
        Assert.Equal(AgentCommand.Help, Parse("dr", flag).Command);
    }

    [Theory]
    [InlineData("unknown command", "frobnicate")]
    [InlineData("missing command")]
    [InlineData("needs at least one --vip", "dr")]
    [InlineData("IPv4 or IPv6", "dr", "--vip", "fe80::1")]
    [InlineData("IPv4 or IPv6", "dr", "--vip", "ff02::1")]
    [InlineData("IPv4 or IPv6", "dr", "--vip", "::")]
    [InlineData("IPv4 or IPv6", "dr", "--vip", "::1")]
    [InlineData("IPv4 or IPv6", "dr", "--vip", "::ffff:192.0.2.10")]
    [InlineData("IPv4 or IPv6", "dr", "--vip", "2001:db8:a::10%eth0")]
    [InlineData("IPv4 or IPv6", "dr", "--vip", "[2001:db8:a::10]")]
    [InlineData("IPv4 or IPv6", "dr", "--vip", "2001:db8:a::10/64")]
    [InlineData("gue/gre with IPv6 VIPs is not built yet", "tunnel", "--vip", "2001:db8:a::10", "--type", "gue")]
    [InlineData("gue/gre with IPv6 VIPs is not built yet", "tunnel", "--type", "gre", "--vip", "192.0.2.10", "--vip", "2001:db8:a::10")]
    [InlineData("IPv4", "dr", "--vip", "192.0.2")]
    [InlineData("IPv4", "dr", "--vip", "nonsense")]
    [InlineData("needs a value", "dr", "--vip")]
    [InlineData("unknown argument", "dr", "--vip", "192.0.2.10", "--type", "gre")]
    [InlineData("unknown argument", "dr", "--vip", "192.0.2.10", "--bogus")]
    [InlineData("unknown argument", "undo", "--vip", "192.0.2.10")]
    [InlineData("ipip, gue or gre", "tunnel", "--vip", "192.0.2.10", "--type", "vxlan")]
    [InlineData("1 to 65535", "tunnel", "--vip", "192.0.2.10", "--type", "gue", "--port", "0")]
    [InlineData("1 to 65535", "tunnel", "--vip", "192.0.2.10", "--type", "gue", "--port", "70000")]
    [InlineData("gue only", "tunnel", "--vip", "192.0.2.10", "--port", "7000")]
    [InlineData("15 characters", "tunnel", "--vip", "192.0.2.10", "--device", "a-very-long-device-name")]
    [InlineData("seconds", "tunnel", "--vip", "192.0.2.10", "--stats-interval", "-1")]
    public void Parse_BadArguments_OneLineError(string expected, params string[] args)
    {
        string error = Fails(args);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error);
    }

    [Fact]
    public void Parse_RepeatedVip_KeptOnce()
    {
        Assert.Single(Parse("dr", "--vip", "192.0.2.10", "--vip", "192.0.2.10").Vips);
    }

    [Fact]
    public void Parse_DrWithIpv6AndIpv4Vips_KeepsBothFamiliesInOrder()
    {
        var o = Parse("dr", "--vip", "2001:DB8:A:0::10", "--vip", "192.0.2.10");
        Assert.Equal([IPAddress.Parse("2001:db8:a::10"), IPAddress.Parse("192.0.2.10")], o.Vips);
    }

    [Fact]
    public void Parse_TunnelIpipWithIpv6Vip_Accepted()
    {
        var o = Parse("tunnel", "--vip", "2001:db8:a::10", "--type", "ipip", "--userspace");
        Assert.Equal(TunnelType.Ipip, o.Type);
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, Assert.Single(o.Vips).AddressFamily);
    }

    [Fact]
    public void Parse_RepeatedIpv6VipInOtherSpelling_KeptOnce()
    {
        Assert.Single(Parse("dr", "--vip", "2001:db8:a::10", "--vip", "2001:0db8:000a:0000:0000:0000:0000:0010").Vips);
    }
}
