using Lvs.Lab.Bench;

namespace Lvs.Lab.Tests.Bench;

public class BenchOptionsTests
{
    [Fact]
    public void TryParse_RowsAndLvsdArgs_Kept()
    {
        Assert.True(BenchOptions.TryParse(["--rows", "lvs-dr,routed-dr", "--lvsd-args", "--io xdp", "--runs", "5"], out var options, out string error), error);

        Assert.Equal(["routed-dr", "lvs-dr"], options.Rows);
        Assert.Equal(["--io", "xdp"], options.LvsdArgs);
        Assert.Equal(5, options.Runs);
    }

    [Theory]
    [InlineData("--rows", "routed,bogus")]
    [InlineData("--runs", "0")]
    [InlineData("--hold", "300000")]
    [InlineData("--lvsd-args", null)]
    public void TryParse_BadValue_RefusedWithReason(string option, string? value)
    {
        string[] args = value is null ? [option] : [option, value];

        Assert.False(BenchOptions.TryParse(args, out _, out string error));
        Assert.Contains(option, error);
    }
}
