using Lvs.Daemon.Web;

namespace Lvs.Daemon.Tests.Web;

public class WebEndpointTests
{
    [Fact]
    public void TryParse_Ipv4AndPort_Tcp()
    {
        Assert.True(WebEndpoint.TryParse("127.0.0.1:9180", out WebEndpoint? e, out _));
        Assert.Equal("127.0.0.1:9180", e!.Tcp!.ToString());
        Assert.Null(e.UnixPath);
    }

    [Fact]
    public void TryParse_BracketedIpv6_Tcp()
    {
        Assert.True(WebEndpoint.TryParse("[::1]:9180", out WebEndpoint? e, out _));
        Assert.Equal(9180, e!.Tcp!.Port);
    }

    [Fact]
    public void TryParse_UnixPath_Unix()
    {
        Assert.True(WebEndpoint.TryParse("unix:/run/lvs/web.sock", out WebEndpoint? e, out _));
        Assert.Equal("/run/lvs/web.sock", e!.UnixPath);
        Assert.Equal("unix:/run/lvs/web.sock", e.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("9180")]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("127.0.0.1:70000")]
    [InlineData("localhost:80")]
    [InlineData("::1:80")]
    [InlineData("unix:relative.sock")]
    [InlineData("unix:")]
    public void TryParse_Bad_ErrorNoEndpoint(string? text)
    {
        Assert.False(WebEndpoint.TryParse(text, out WebEndpoint? e, out string? error));
        Assert.Null(e);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void OptionsParse_WebAndLogging_Applied()
    {
        Options? o = Options.Parse(["--web", "unix:/tmp/w.sock", "--log-level", "debug", "--log-format", "json"], out string? error);
        Assert.Null(error);
        Assert.Equal("/tmp/w.sock", o!.Web!.UnixPath);
        Assert.Equal(Lvs.Linux.LogLevel.Debug, o.LogLevel);
        Assert.Equal(Lvs.Linux.LogFormat.Json, o.LogFormat);
    }

    [Theory]
    [InlineData("--web", "nowhere")]
    [InlineData("--web")]
    [InlineData("--log-level", "loud")]
    [InlineData("--log-format", "xml")]
    public void OptionsParse_BadWebOrLogging_Error(params string[] args)
    {
        Assert.Null(Options.Parse(args, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void OptionsParse_NoWeb_Off() => Assert.Null(Options.Parse([], out _)!.Web);
}
