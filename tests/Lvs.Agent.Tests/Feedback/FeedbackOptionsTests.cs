using System.Net;
using Lvs.Agent.Feedback;

namespace Lvs.Agent.Tests.Feedback;

public class FeedbackOptionsTests
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
    public void Parse_PortOnly_CpuOnAllAddresses()
    {
        AgentOptions o = Parse("feedback", "--port", "9777");
        Assert.Equal(AgentCommand.Feedback, o.Command);
        Assert.Equal(9777, o.Feedback!.Port);
        Assert.Equal(FeedbackMetric.Cpu, o.Feedback.Metric);
        Assert.Equal(IPAddress.IPv6Any, o.Feedback.Bind);
    }

    [Fact]
    public void Parse_CommandMetric_KeepsCommand()
    {
        FeedbackOptions f = Parse("feedback", "--port", "1", "--metric", "command", "--command", "echo 50%", "--bind", "10.0.0.11").Feedback!;
        Assert.Equal(FeedbackMetric.Command, f.Metric);
        Assert.Equal("echo 50%", f.Command);
        Assert.Equal(IPAddress.Parse("10.0.0.11"), f.Bind);
    }

    [Fact]
    public void Parse_MaxLoadDefaults_PerMetric()
    {
        Assert.Equal(2, Parse("feedback", "--port", "1", "--metric", "loadavg").Feedback!.EffectiveMaxLoad);
        Assert.Equal(1000, Parse("feedback", "--port", "1", "--metric", "connections").Feedback!.EffectiveMaxLoad);
        Assert.Equal(4.5, Parse("feedback", "--port", "1", "--metric", "loadavg", "--max-load", "4.5").Feedback!.EffectiveMaxLoad);
    }

    [Theory]
    [InlineData("needs --port", "feedback")]
    [InlineData("--port needs a number", "feedback", "--port", "0")]
    [InlineData("--metric must be", "feedback", "--port", "1", "--metric", "disk")]
    [InlineData("needs --command", "feedback", "--port", "1", "--metric", "command")]
    [InlineData("--command applies", "feedback", "--port", "1", "--command", "true")]
    [InlineData("--max-load applies", "feedback", "--port", "1", "--max-load", "3")]
    [InlineData("--max-load needs", "feedback", "--port", "1", "--metric", "loadavg", "--max-load", "-3")]
    [InlineData("--bind needs", "feedback", "--port", "1", "--bind", "10.0.1")]
    [InlineData("--port needs a value", "feedback", "--port")]
    [InlineData("unknown argument", "feedback", "--port", "1", "--vip", "192.0.2.10")]
    public void Parse_BadFeedbackArguments_ClearError(string expected, params string[] args) =>
        Assert.Contains(expected, Fails(args));
}
