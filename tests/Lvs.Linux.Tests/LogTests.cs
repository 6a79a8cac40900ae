using System.Text.Json;

namespace Lvs.Linux.Tests;

public class LogTests
{
    private static readonly DateTime At = new(2026, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);

    [Fact]
    public void FormatLine_Text_KeyValueQuotedWhenNeeded()
    {
        string line = Log.FormatLine(LogFormat.Text, At, LogLevel.Warn, "real server unreachable", [("service", "tcp 192.0.2.10:80"), ("n", 3)]);
        Assert.Equal("2026-01-02T03:04:05.678Z level=warn msg=\"real server unreachable\" service=\"tcp 192.0.2.10:80\" n=3", line);
    }

    [Fact]
    public void FormatLine_TextWithNewline_StaysOneLine()
    {
        string line = Log.FormatLine(LogFormat.Text, At, LogLevel.Error, "bad\nthing", [("error", "a\r\nb \"q\"")]);
        Assert.DoesNotContain('\n', line);
        Assert.DoesNotContain('\r', line);
        Assert.EndsWith("msg=\"bad\\nthing\" error=\"a\\r\\nb \\\"q\\\"\"", line);
    }

    [Fact]
    public void FormatLine_Json_OneObjectWithFields()
    {
        string line = Log.FormatLine(LogFormat.Json, At, LogLevel.Info, "lvsd started", [("interfaces", "eth0,eth1"), ("msg", "ignored"), ("x", null)]);
        Assert.DoesNotContain('\n', line);
        using JsonDocument doc = JsonDocument.Parse(line);
        JsonElement root = doc.RootElement;
        Assert.Equal("2026-01-02T03:04:05.678Z", root.GetProperty("time").GetString());
        Assert.Equal("info", root.GetProperty("level").GetString());
        Assert.Equal("lvsd started", root.GetProperty("msg").GetString());
        Assert.Equal("eth0,eth1", root.GetProperty("interfaces").GetString());
        Assert.Equal("", root.GetProperty("x").GetString());
        Assert.Equal(5, root.EnumerateObject().Count());
    }

    [Fact]
    public void FormatLine_JsonControlCharacters_Escaped()
    {
        string line = Log.FormatLine(LogFormat.Json, At, LogLevel.Debug, "a\nb\u0001", []);
        Assert.DoesNotContain('\n', line);
        Assert.Equal("a\nb\u0001", JsonDocument.Parse(line).RootElement.GetProperty("msg").GetString());
        Assert.Contains("\"level\":\"debug\"", line);
    }

    [Theory]
    [InlineData("debug", LogLevel.Debug)]
    [InlineData("info", LogLevel.Info)]
    [InlineData("warn", LogLevel.Warn)]
    [InlineData("warning", LogLevel.Warn)]
    [InlineData("error", LogLevel.Error)]
    public void TryParseLevel_Known_Parsed(string text, LogLevel expected)
    {
        Assert.True(Log.TryParseLevel(text, out LogLevel level));
        Assert.Equal(expected, level);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("INFO")]
    [InlineData("trace")]
    public void TryParseLevel_Unknown_False(string? text) => Assert.False(Log.TryParseLevel(text, out _));
}
