using Lvs.Admin.Output;
using Lvs.Contracts;

namespace Lvs.Admin.Tests.Output;

public class DropsFormatterTests
{
    [Fact]
    public void Format_SortedByReason_TwoAlignedColumns()
    {
        string text = DropsFormatter.Format(
            [new DropCount("no-service", 12), new DropCount("bad-checksum", 1234567), new DropCount("ttl", 0)]);

        Assert.Equal(
            "Reason          Count\n" +
            "bad-checksum  1234567\n" +
            "no-service         12\n" +
            "ttl                 0\n",
            text);
    }

    [Fact]
    public void Format_Empty_HeaderOnly() => Assert.Equal("Reason  Count\n", DropsFormatter.Format([]));
}
