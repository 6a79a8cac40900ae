using System.Net;
using Lvs.Admin.CommandLine;

namespace Lvs.Admin.Tests;

/// <summary>A parser with a fixed resolver and services table, so tests never touch DNS or /etc/services.</summary>
internal static class TestParsers
{
    public static readonly ServicesDatabase Services = new(
    [
        "# comment line",
        "http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP",
        "https\t\t443/tcp",
        "domain\t\t53/udp",
    ]);

    public static readonly CommandParser Parser = new(Resolve, Services);

    public static IPAddress? Resolve(string name) => name switch
    {
        "web.example" => IPAddress.Parse("203.0.113.5"),
        "v6only.example" => IPAddress.Parse("2001:db8:b::5"),
        _ => null,
    };

    public static ParsedCommand Parse(string line) => Parser.Parse(Split(line));

    public static string[] Split(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
