namespace Lvs.Health.Tests.Agent;

public class AgentReplyTests
{
    [Theory]
    [InlineData("75%", 75, null, null)]
    [InlineData("up", null, AgentState.Up, null)]
    [InlineData("UP 50%", 50, AgentState.Up, null)]
    [InlineData("ready,100%", 100, AgentState.Ready, null)]
    [InlineData("drain", null, AgentState.Drain, null)]
    [InlineData("up drain", null, AgentState.Drain, null)]
    [InlineData("drain down", null, AgentState.Down, null)]
    [InlineData("down#overload", null, AgentState.Down, "overload")]
    [InlineData("maint # planned work ", null, AgentState.Maint, "planned work")]
    [InlineData("stopped", null, AgentState.Stopped, null)]
    [InlineData("fail#disk", null, AgentState.Fail, "disk")]
    [InlineData("0%", 0, null, null)]
    [InlineData("maxconn:30 up\t80%", 80, AgentState.Up, null)]
    [InlineData("#just a note", null, null, "just a note")]
    public void TryParse_ProtocolWords_Parsed(string line, int? percent, AgentState? state, string? reason)
    {
        Assert.True(AgentReply.TryParse(line, out var report, out var error), error);
        Assert.Equal(new AgentReport(percent, state, reason), report);
    }

    [Theory]
    [InlineData("", "empty reply")]
    [InlineData("   ", "empty reply")]
    [InlineData("hello", "unknown word 'hello'")]
    [InlineData("75", "unknown word '75'")]
    [InlineData("-5%", "bad weight")]
    [InlineData("abc%", "bad weight")]
    [InlineData("10001%", "bad weight")]
    [InlineData("maxconn:x", "bad maxconn")]
    [InlineData("up\u0001", "control character")]
    public void TryParse_NotInProtocol_FailsWithReason(string line, string expected)
    {
        Assert.False(AgentReply.TryParse(line, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void TryParse_RandomInput_NeverThrows()
    {
        var random = new Random(6);
        var alphabet = "updrainmtosfl%#,: \t0123456789\u0000\u00e9x";
        for (var i = 0; i < 20_000; i++)
        {
            var chars = new char[random.Next(0, 40)];
            for (var j = 0; j < chars.Length; j++)
            {
                chars[j] = alphabet[random.Next(alphabet.Length)];
            }
            if (AgentReply.TryParse(chars, out var report, out var error))
            {
                Assert.Null(error);
                Assert.True(report.WeightPercent is null or >= 0 and <= AgentReply.MaxPercent);
            }
            else
            {
                Assert.False(string.IsNullOrEmpty(error));
            }
        }
    }
}
