using System.Globalization;
using System.Text;

namespace Lvs.Linux;

/// <summary>
/// Structured logging to stderr, one line per event: <c>time level msg key=value...</c>, which
/// journald keeps as is. Not for the per-packet path.
/// </summary>
public static class Log
{
    private static readonly object Gate = new();

    public static TextWriter Output { get; set; } = Console.Error;

    public static void Info(string message, params (string Key, object? Value)[] fields) => Write("info", message, fields);

    public static void Warn(string message, params (string Key, object? Value)[] fields) => Write("warn", message, fields);

    public static void Error(string message, params (string Key, object? Value)[] fields) => Write("error", message, fields);

    private static void Write(string level, string message, (string Key, object? Value)[] fields)
    {
        var sb = new StringBuilder(128);
        sb.Append(DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        sb.Append(" level=").Append(level);
        sb.Append(" msg=").Append(Quote(message));
        foreach ((string key, object? value) in fields)
        {
            sb.Append(' ').Append(key).Append('=').Append(Quote(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""));
        }

        lock (Gate)
        {
            Output.WriteLine(sb.ToString());
            Output.Flush();
        }
    }

    private static string Quote(string s) =>
        s.Length > 0 && s.AsSpan().IndexOfAny(" \"=\t\n") < 0 ? s : "\"" + s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
}
