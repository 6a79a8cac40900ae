using System.Net;
using System.Net.Sockets;

namespace Lvs.Admin.CommandLine;

/// <summary>An address[:port] as ipvsadm's parse_service reads it.</summary>
/// <param name="Address">The address in canonical text (dotted quad, or RFC 5952 IPv6 without brackets).</param>
/// <param name="Port">The port, or null when the argument named none.</param>
internal sealed record ServiceAddress(string Address, bool IsIPv6, ushort? Port);

/// <summary>
/// ipvsadm's argument parsing helpers, with the C library's leniency: strtol accepts
/// leading blanks and a sign, inet_aton accepts "10.1" and "0x0a000001", names resolve
/// through the resolver (IPv4 only, as gethostbyname) and /etc/services.
/// </summary>
internal static class AddressParser
{
    /// <summary>ipvsadm's string_to_number: strtol base 10, whole string, in [min, max]; -1 otherwise.</summary>
    public static int StringToNumber(string s, int min, int max)
    {
        int i = 0;
        while (i < s.Length && IsCSpace(s[i]))
        {
            i++;
        }

        bool negative = false;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            negative = s[i] == '-';
            i++;
        }

        int digitsStart = i;
        long value = 0;
        bool overflow = false;
        for (; i < s.Length && char.IsAsciiDigit(s[i]); i++)
        {
            if (value > (long.MaxValue - 9) / 10)
            {
                overflow = true;
            }
            else
            {
                value = (value * 10) + (s[i] - '0');
            }
        }

        if (i == digitsStart || i != s.Length || overflow)
        {
            return -1;
        }

        long number = negative ? -value : value;
        return number >= min && number <= max ? (int)number : -1;
    }

    /// <summary>ipvsadm's str_is_digit: true when every character is a digit (also for "").</summary>
    public static bool IsAllDigits(string s)
    {
        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>glibc inet_aton: 1 to 4 parts, each decimal, octal (0...) or hex (0x...); the last fills the rest.</summary>
    public static bool TryInetAton(string s, out uint address)
    {
        address = 0;
        Span<uint> parts = stackalloc uint[4];
        int count = 0;
        int i = 0;
        ulong value;
        while (true)
        {
            if (i >= s.Length || !char.IsAsciiDigit(s[i]))
            {
                return false;
            }

            // strtoul with base 0: "0x1f" hex, "017" octal, else decimal; stops at the first other character.
            int radix = 10;
            if (s[i] == '0' && i + 2 < s.Length && (s[i + 1] == 'x' || s[i + 1] == 'X') && char.IsAsciiHexDigit(s[i + 2]))
            {
                radix = 16;
                i += 2;
            }
            else if (s[i] == '0')
            {
                radix = 8;
            }

            value = 0;
            for (; i < s.Length; i++)
            {
                int digit = HexValue(s[i]);
                if (digit < 0 || digit >= radix)
                {
                    break;
                }

                value = (value * (uint)radix) + (uint)digit;
                if (value > uint.MaxValue)
                {
                    return false;
                }
            }

            if (i < s.Length && s[i] == '.')
            {
                if (count >= 3)
                {
                    return false;
                }

                parts[count++] = (uint)value;
                i++;
                continue;
            }

            break;
        }

        if (i < s.Length && !IsCSpace(s[i]))
        {
            return false;
        }

        ulong[] limits = [0xffffffff, 0xffffff, 0xffff, 0xff];
        if (value > limits[count])
        {
            return false;
        }

        uint result = (uint)value;
        for (int p = 0; p < count; p++)
        {
            if (parts[p] > 0xff)
            {
                return false;
            }

            result |= parts[p] << (24 - (8 * p));
        }

        address = result;
        return true;
    }

    /// <summary>inet_pton(AF_INET6): plain hex-and-colons text (optionally ending in a dotted quad), no scope, no brackets.</summary>
    public static bool TryParseIPv6(string s, out IPAddress address)
    {
        address = IPAddress.IPv6None;
        if (s.IndexOf(':') < 0)
        {
            return false;
        }

        foreach (char c in s)
        {
            if (!(char.IsAsciiHexDigit(c) || c == ':' || c == '.'))
            {
                return false;
            }
        }

        if (!IPAddress.TryParse(s, out IPAddress? parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    /// <summary>
    /// ipvsadm's parse_service: "host[:port]", "[ipv6]:port" or a bare IPv6 address. Returns null
    /// where ipvsadm's result lacks SERVICE_ADDR (all digits, bad address, unknown name or port).
    /// </summary>
    /// <param name="protocol">"tcp" for port names, or null when no service protocol is known yet.</param>
    /// <param name="resolveHost">gethostbyname: a host name to an IPv4 address, or null.</param>
    public static ServiceAddress? ParseService(string text, string? protocol, Func<string, IPAddress?> resolveHost, ServicesDatabase services)
    {
        if (IsAllDigits(text))
        {
            return null;
        }

        string host = text;
        string? port = null;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']');
            if (close < 0 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                return null;
            }

            host = text[1..close];
            port = text[(close + 2)..];
        }

        string address;
        bool isIPv6 = false;
        if (TryParseIPv6(host, out IPAddress v6))
        {
            address = v6.ToString();
            isIPv6 = true;
        }
        else
        {
            // ipvsadm looks for the port separator again inside what is left, so "[1.2.3.4]:80" loses its port.
            port = null;
            int colon = host.LastIndexOf(':');
            if (colon >= 0)
            {
                port = host[(colon + 1)..];
                host = host[..colon];
            }

            if (TryInetAton(host, out uint v4))
            {
                address = FormatIPv4(v4);
            }
            else if (resolveHost(host) is { AddressFamily: AddressFamily.InterNetwork } resolved)
            {
                address = resolved.ToString();
            }
            else
            {
                return null;
            }

        }

        if (port is null)
        {
            return new ServiceAddress(address, isIPv6, null);
        }

        int number = StringToNumber(port, 0, 65535);
        if (number < 0)
        {
            number = services.PortOf(port, protocol);
        }

        return number < 0 ? null : new ServiceAddress(address, isIPv6, (ushort)number);
    }

    /// <summary>gethostbyname for IPv4: the first IPv4 address of a name, or null.</summary>
    public static IPAddress? ResolveHostIPv4(string name)
    {
        if (name.Length == 0)
        {
            return null;
        }

        try
        {
            foreach (IPAddress address in Dns.GetHostAddresses(name, AddressFamily.InterNetwork))
            {
                return address;
            }
        }
        catch (SocketException)
        {
        }
        catch (ArgumentException)
        {
        }

        return null;
    }

    private static string FormatIPv4(uint v) => $"{v >> 24}.{(v >> 16) & 0xff}.{(v >> 8) & 0xff}.{v & 0xff}";

    private static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}
