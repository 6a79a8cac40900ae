using Lvs.Agent.Feedback;

namespace Lvs.Agent.Tests.Feedback;

public class AgentAnswerTests
{
    [Theory]
    [InlineData("50%", "50%\n")]
    [InlineData("  drain \n", "drain\n")]
    [InlineData("up 75%", "up 75%\n")]
    [InlineData("down #disk full", "down #disk full\n")]
    [InlineData("ready,maxconn:30,40%", "ready,maxconn:30,40%\n")]
    [InlineData("MAINT\nsecond line ignored", "MAINT\n")]
    public void FromCommandOutput_ProtocolLine_PassedOnWithNewline(string output, string expected) =>
        Assert.Equal(expected, AgentAnswer.FromCommandOutput(output));

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("hello")]
    [InlineData("50")]
    [InlineData("50% banana")]
    [InlineData("-5%")]
    [InlineData("up\u0007")]
    [InlineData("maxconn:x")]
    public void FromCommandOutput_NotInProtocol_Null(string output) => Assert.Null(AgentAnswer.FromCommandOutput(output));

    [Fact]
    public void FromCommandOutput_TooLong_Null() => Assert.Null(AgentAnswer.FromCommandOutput("up #" + new string('x', 300)));

    [Fact]
    public void Fail_ReasonWithControlCharacters_OneCleanLine()
    {
        Assert.Equal("fail #bad\n", AgentAnswer.Fail("b\na\rd"));
    }

    [Fact]
    public void Percent_Value_Line() => Assert.Equal("7%\n", AgentAnswer.Percent(7));
}
