using Lvs.Admin.Output;

namespace Lvs.Admin.Tests.Output;

public class NumberFormatTests
{
    [Theory]
    [InlineData(0UL, "        0")]
    [InlineData(99_999_999UL, " 99999999")]
    [InlineData(100_000_000UL, "  100000K")]
    [InlineData(999_999_999UL, "  999999K")]
    [InlineData(1_000_000_000UL, "    1000M")]
    [InlineData(99_999_999_999UL, "   99999M")]
    [InlineData(100_000_000_000UL, "     100G")]
    [InlineData(99_999_999_999_999UL, "   99999G")]
    [InlineData(100_000_000_000_000UL, "     100T")]
    [InlineData(ulong.MaxValue, "18446744T")]
    public void LargeNumber_Scaled_AsPrintLargenum(ulong value, string expected) =>
        Assert.Equal(expected, NumberFormat.LargeNumber(value, exact: false));

    [Theory]
    [InlineData(0UL, "        0")]
    [InlineData(12_345_678UL, " 12345678")]
    [InlineData(123_456_789UL, " 123456789")]
    [InlineData(ulong.MaxValue, " 18446744073709551615")]
    public void LargeNumber_Exact_WholeNumberWithOneBlank(ulong value, string expected) =>
        Assert.Equal(expected, NumberFormat.LargeNumber(value, exact: true));
}
