using Lvs.Lab;

namespace Lvs.Lab.Tests;

public sealed class DigOutputTests
{
    [Theory]
    [InlineData("\"rs1\"\n", "rs1")]
    [InlineData("\"rs12\"", "rs12")]
    [InlineData(";; Warning: reply from unexpected source\n\"rs2\"\n", "rs2")]
    public void ParseTxt_ShortAnswer_ReturnsFirstString(string output, string expected) =>
        Assert.Equal(expected, LabTopology.ParseTxt(output));

    [Theory]
    [InlineData("")]
    [InlineData(";; communications error to 192.0.2.10#53: timed out\n;; no servers could be reached\n")]
    [InlineData("rs1\n")]
    [InlineData("\"\n")]
    public void ParseTxt_NoTxtString_ReturnsNull(string output) =>
        Assert.Null(LabTopology.ParseTxt(output));
}
