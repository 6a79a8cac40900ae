using System.Globalization;
using System.Net;

namespace Lvs.Health.Config;

/// <summary>
/// Reads the values of one checker block's keyword lines. The first malformed value wins as
/// <see cref="Error"/> ("Location: reason"); unknown keywords become warnings, as keepalived
/// treats them.
/// </summary>
internal sealed class BlockReader(HealthBlock block, ICollection<string>? warnings)
{
    public HealthBlock Block { get; } = block;

    public string? Error { get; private set; }

    public bool Failed => Error is not null;

    public void Fail(HealthBlock at, string reason) => Error ??= $"{at.Location}: {reason}";

    public void Warn(HealthBlock at, string reason) => warnings?.Add($"{at.Location}: {reason}");

    public void Unknown(HealthBlock at) => Warn(at, $"unknown keyword '{at.Name}' in {Block.Name}, ignored");

    /// <summary>keepalived's &lt;TIMER&gt;: seconds, fractions allowed (resolution 1 µs).</summary>
    public bool Timer(HealthBlock at, double maxSeconds, out TimeSpan value)
    {
        value = default;
        if (!One(at, out var word))
        {
            return false;
        }
        if (!double.TryParse(word, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || seconds < 0 || seconds > maxSeconds)
        {
            Fail(at, $"{at.Name} wants seconds between 0 and {maxSeconds}, not '{word}'");
            return false;
        }
        value = TimeSpan.FromTicks((long)Math.Round(seconds * 1_000_000) * 10);
        return true;
    }

    public bool Int(HealthBlock at, int min, int max, out int value)
    {
        value = default;
        if (!One(at, out var word))
        {
            return false;
        }
        if (!int.TryParse(word, NumberStyles.None, CultureInfo.InvariantCulture, out value) || value < min || value > max)
        {
            Fail(at, $"{at.Name} wants an integer between {min} and {max}, not '{word}'");
            return false;
        }
        return true;
    }

    public bool Port(HealthBlock at, out ushort port)
    {
        port = 0;
        if (!Int(at, 0, 65535, out var value))
        {
            return false;
        }
        port = (ushort)value;
        return true;
    }

    public bool Address(HealthBlock at, out IPAddress address)
    {
        address = IPAddress.None;
        if (!One(at, out var word))
        {
            return false;
        }
        if (!IPAddress.TryParse(word, out var parsed) || word.Contains('/'))
        {
            Fail(at, $"{at.Name} wants an IPv4 or IPv6 address, not '{word}'");
            return false;
        }
        address = parsed;
        return true;
    }

    /// <summary>All arguments as one string, outer double quotes removed (misc_path "/bin/x arg").</summary>
    public bool Text(HealthBlock at, out string text)
    {
        text = string.Join(' ', at.Arguments);
        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
        {
            text = text[1..^1];
        }
        if (text.Length == 0)
        {
            Fail(at, $"{at.Name} wants a value");
            return false;
        }
        return true;
    }

    /// <summary>A flag keyword: bare, or followed by a keepalived &lt;BOOL&gt;.</summary>
    public bool Flag(HealthBlock at, out bool value)
    {
        value = true;
        if (at.Arguments.Count == 0)
        {
            return true;
        }
        switch (at.Arguments.Count == 1 ? at.Arguments[0].ToLowerInvariant() : "")
        {
            case "on" or "true" or "yes":
                return true;
            case "off" or "false" or "no":
                value = false;
                return true;
            default:
                Fail(at, $"{at.Name} takes nothing or one of on|off|true|false|yes|no");
                return false;
        }
    }

    /// <summary>Hex bytes as keepalived writes payloads (optional 0x, even length).</summary>
    public bool Hex(HealthBlock at, out byte[] bytes)
    {
        bytes = [];
        if (!Text(at, out var text))
        {
            return false;
        }
        var digits = text.Replace(" ", "", StringComparison.Ordinal);
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }
        try
        {
            bytes = Convert.FromHexString(digits);
            return true;
        }
        catch (FormatException)
        {
            Fail(at, $"{at.Name} wants hex bytes, not '{text}'");
            return false;
        }
    }

    private bool One(HealthBlock at, out string word)
    {
        word = "";
        if (at.Arguments.Count != 1)
        {
            Fail(at, $"{at.Name} wants exactly one value");
            return false;
        }
        if (at.Children.Count != 0)
        {
            Fail(at, $"{at.Name} takes no block");
            return false;
        }
        word = at.Arguments[0];
        return true;
    }
}
