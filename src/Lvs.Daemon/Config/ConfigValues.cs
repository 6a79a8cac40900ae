using System.Globalization;
using Lvs.Core.Services;

namespace Lvs.Daemon.Config;

/// <summary>The value syntaxes of keepalived.conf and ipvsadm save files, strict as inet_pton and strtoul with end checks.</summary>
internal static class ConfigValues
{
    /// <summary>A dotted-quad IPv4 address, four decimal parts (no inet_aton shorthand).</summary>
    public static bool TryParseIpv4(string text, out uint value)
    {
        value = 0;
        string[] parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (string part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit))
            {
                return false;
            }

            int octet = int.Parse(part, CultureInfo.InvariantCulture);
            if (octet > 255)
            {
                return false;
            }

            value = (value << 8) | (uint)octet;
        }

        return true;
    }

    /// <summary>A dotted-quad IPv4 address or an IPv6 address (RFC 4291 text, no brackets or zone; IPv4-mapped refused).</summary>
    public static bool TryParseAddress(string text, out InetAddress value)
    {
        value = default;
        if (TryParseIpv4(text, out uint v4))
        {
            value = InetAddress.FromV4(v4);
            return true;
        }

        if (text.Contains(':') && Lvs.Core.Packets.Ipv6Address.TryParse(text, out Lvs.Core.Packets.Ipv6Address v6) && !v6.IsIPv4Mapped)
        {
            value = InetAddress.FromV6(v6);
            return true;
        }

        return false;
    }

    /// <summary>Why <paramref name="text"/> is not an address we can use.</summary>
    public static string AddressError(string text, string what) => $"{what} '{text}' is not an IPv4 or IPv6 address";

    public static bool TryParseUInt(string text, out ulong value)
    {
        value = 0;
        return text.Length is > 0 and <= 20 && text.All(char.IsAsciiDigit) &&
            ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A decimal integer within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static bool TryParseInt(string text, long min, long max, out int value)
    {
        value = 0;
        bool negative = text.StartsWith('-');
        if (!TryParseUInt(negative ? text[1..] : text, out ulong magnitude) || magnitude > int.MaxValue)
        {
            return false;
        }

        long v = negative ? -(long)magnitude : (long)magnitude;
        if (v < min || v > max)
        {
            return false;
        }

        value = (int)v;
        return true;
    }

    public static bool TryParsePort(string text, out ushort port)
    {
        port = 0;
        if (!TryParseInt(text, 0, ushort.MaxValue, out int v))
        {
            return false;
        }

        port = (ushort)v;
        return true;
    }

    /// <summary>A netmask in dotted form whose ones are contiguous from the top (as ip_vs expects of -M).</summary>
    public static bool TryParseNetmask(string text, out uint mask)
    {
        if (!TryParseIpv4(text, out mask))
        {
            return false;
        }

        uint inverted = ~mask;
        return (inverted & (inverted + 1)) == 0;
    }

    /// <summary>keepalived's &lt;BOOL&gt;: on|off|true|false|yes|no; a keyword alone means true.</summary>
    public static bool TryParseBool(KeepalivedToken? token, out bool value)
    {
        value = true;
        if (token is not { } t)
        {
            return true;
        }

        switch (t.Text.ToLowerInvariant())
        {
            case "on" or "true" or "yes":
                return true;
            case "off" or "false" or "no":
                value = false;
                return true;
            default:
                return false;
        }
    }

    public static string Describe(ServiceKey key) => key.ToString();
}
