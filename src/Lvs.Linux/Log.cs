using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Lvs.Linux;

/// <summary>How serious a log line is; lines below <see cref="Log.MinLevel"/> are not written.</summary>
public enum LogLevel
{
    Debug,
    Info,
    Warn,
    Error,
}

/// <summary>The shape of a log line.</summary>
public enum LogFormat
{
    /// <summary><c>time level=... msg=... key=value...</c>, logfmt style.</summary>
    Text,

    /// <summary>One JSON object per line: <c>{"time":...,"level":...,"msg":...,"key":"value"}</c>.</summary>
    Json,
}

/// <summary>
/// Structured logging to stderr, one line per event: <c>time level msg key=value...</c> (or one
/// JSON object per line), which journald keeps as is. Not for the per-packet path.
/// </summary>
public static class Log
{
    private static readonly object Gate = new();

    public static TextWriter Output { get; set; } = Console.Error;

    /// <summary>The least serious level written (lvsd --log-level); Info by default.</summary>
    public static LogLevel MinLevel { get; set; } = LogLevel.Info;

    /// <summary>Text (default) or JSON lines (lvsd --log-format).</summary>
    public static LogFormat Format { get; set; } = LogFormat.Text;

    /// <summary>Parses "debug", "info", "warn"/"warning", "error".</summary>
    public static bool TryParseLevel(string? s, out LogLevel level)
    {
        level = s switch
        {
            "debug" => LogLevel.Debug,
            "info" => LogLevel.Info,
            "warn" or "warning" => LogLevel.Warn,
            "error" => LogLevel.Error,
            _ => (LogLevel)(-1),
        };
        return level >= LogLevel.Debug;
    }

    public static bool IsEnabled(LogLevel level) => level >= MinLevel;

    public static void Debug(string message, params (string Key, object? Value)[] fields) => Write(LogLevel.Debug, message, fields);

    public static void Info(string message, params (string Key, object? Value)[] fields) => Write(LogLevel.Info, message, fields);

    public static void Warn(string message, params (string Key, object? Value)[] fields) => Write(LogLevel.Warn, message, fields);

    public static void Error(string message, params (string Key, object? Value)[] fields) => Write(LogLevel.Error, message, fields);

    /// <summary>Formats one line without writing it (what <see cref="Output"/> would receive).</summary>
    public static string FormatLine(LogFormat format, DateTime utc, LogLevel level, string message, (string Key, object? Value)[] fields) =>
        format == LogFormat.Json ? JsonLine(utc, level, message, fields) : TextLine(utc, level, message, fields);

    private static void Write(LogLevel level, string message, (string Key, object? Value)[] fields)
    {
        if (!IsEnabled(level))
        {
            return;
        }

        string line = FormatLine(Format, DateTime.UtcNow, level, message, fields);
        lock (Gate)
        {
            Output.WriteLine(line);
            Output.Flush();
        }
    }

    private static string Name(LogLevel level) => level switch
    {
        LogLevel.Debug => "debug",
        LogLevel.Info => "info",
        LogLevel.Warn => "warn",
        _ => "error",
    };

    private static string Time(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static string TextLine(DateTime utc, LogLevel level, string message, (string Key, object? Value)[] fields)
    {
        var sb = new StringBuilder(128);
        sb.Append(Time(utc));
        sb.Append(" level=").Append(Name(level));
        sb.Append(" msg=").Append(Quote(message));
        foreach ((string key, object? value) in fields)
        {
            sb.Append(' ').Append(key).Append('=').Append(Quote(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
        }

        return sb.ToString();
    }

    private static string JsonLine(DateTime utc, LogLevel level, string message, (string Key, object? Value)[] fields)
    {
        using var buffer = new MemoryStream(256);
        // Relaxed escaping keeps addresses and paths readable; the writer still escapes control
        // characters and quotes, so a line stays one line.
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("time", Time(utc));
            w.WriteString("level", Name(level));
            w.WriteString("msg", message);
            foreach ((string key, object? value) in fields)
            {
                // Later duplicates of the fixed keys would make the object ambiguous to parsers.
                if (key is "time" or "level" or "msg")
                {
                    continue;
                }

                w.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Quote(string s) =>
        s.Length > 0 && s.AsSpan().IndexOfAny(" \"=\t\n\r") < 0
            ? s
            : "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n").Replace("\r", "\\r") + "\"";
}
