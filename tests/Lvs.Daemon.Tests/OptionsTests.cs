namespace Lvs.Daemon.Tests;

public class OptionsTests
{
    [Fact]
    public void Parse_NoArguments_Defaults()
    {
        Options? o = Options.Parse([], out string? error);
        Assert.NotNull(o);
        Assert.Null(error);
        Assert.Empty(o.Interfaces);
        Assert.Equal("lvsd", o.NftTable);
        Assert.Equal("packet", o.Io);
        Assert.Equal(1, o.Workers);
        Assert.Equal(Lvs.Linux.PacketIO.RingKind.Frames, o.RxRing);
    }

    [Fact]
    public void Parse_RxRing_Applied()
    {
        Options? o = Options.Parse(["--rx-ring", "blocks"], out string? error);
        Assert.Null(error);
        Assert.Equal(Lvs.Linux.PacketIO.RingKind.Blocks, o!.RxRing);
    }

    [Fact]
    public void Parse_Workers_Applied()
    {
        Options? o = Options.Parse(["--workers", "2"], out string? error);
        Assert.Null(error);
        Assert.Equal(2, o!.Workers);
    }

    [Fact]
    public void Parse_WorkersWithXdp_RefusedWithReason()
    {
        Assert.Null(Options.Parse(["--io", "xdp", "--workers", "2"], out string? error));
        Assert.Contains("--io packet", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("xdp")]
    [InlineData("packet")]
    public void Parse_Io_Applied(string io)
    {
        Options? o = Options.Parse(["--io", io], out string? error);
        Assert.Null(error);
        Assert.Equal(io, o!.Io);
    }

    [Fact]
    public void Parse_AllOptions_Applied()
    {
        Options? o = Options.Parse(
            ["--control", "/tmp/a.sock", "--interface", "eth0", "-i", "eth1", "--max-connections", "1000", "--nft-table", "t1",
             "--fwmark-table", "marks", "--expire-nodest-conn"],
            out _);
        Assert.NotNull(o);
        Assert.Equal("/tmp/a.sock", o.ControlPath);
        Assert.Equal(["eth0", "eth1"], o.Interfaces);
        Assert.Equal(1000, o.MaxConnections);
        Assert.Equal("t1", o.NftTable);
        Assert.Equal("marks", o.FwmarkTable);
        Assert.True(o.ExpireNodestConn);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--control")]
    [InlineData("--interface")]
    [InlineData("--max-connections", "x")]
    [InlineData("--max-connections", "3")]
    [InlineData("--fwmark-table")]
    [InlineData("--io")]
    [InlineData("--io", "dpdk")]
    [InlineData("--workers")]
    [InlineData("--workers", "0")]
    [InlineData("--workers", "65")]
    [InlineData("--workers", "two")]
    [InlineData("--rx-ring", "v4")]
    public void Parse_BadArguments_OneLineError(params string[] args)
    {
        Assert.Null(Options.Parse(args, out string? error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.DoesNotContain('\n', error);
    }
}
