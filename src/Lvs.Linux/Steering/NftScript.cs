using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Lvs.Linux.Steering;

/// <summary>
/// Generates the nft scripts of <see cref="NftSteering"/>: pure functions of their input.
/// Everything interpolated is validated (names) or printed from a parsed value (addresses,
/// ports), so no input can inject nft syntax.
/// </summary>
/// <example>
/// <code>
/// add table netdev lvsd
/// delete table netdev lvsd
/// table netdev lvsd {
///     set local4 {
///         type ipv4_addr
///         elements = { 198.51.100.1 }
///     }
///     set local6 {
///         type ipv6_addr
///     }
///     chain ingress_0 {
///         type filter hook ingress device "veth0" priority -500; policy accept;
///         ip daddr 192.0.2.10 tcp dport 80 drop
///         ip saddr 10.0.0.2 tcp sport 80 ip daddr != @local4 drop
///     }
/// }
/// </code>
/// </example>
public static partial class NftScript
{
    /// <summary>The default table name.</summary>
    public const string DefaultTable = "lvsd";

    // Linux interface names: at most 15 bytes (IFNAMSIZ - 1), no '/', ':', whitespace or quotes.
    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,15}\z")]
    private static partial Regex DeviceName();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_]{0,31}\z")]
    private static partial Regex Identifier();

    /// <summary>True when <paramref name="name"/> is a valid Linux interface name.</summary>
    public static bool IsValidDevice(string? name) => name is not null && DeviceName().IsMatch(name) && name is not ("." or "..");

    /// <summary>True when <paramref name="name"/> is usable as our table name.</summary>
    public static bool IsValidTable(string? name) => name is not null && Identifier().IsMatch(name);

    /// <summary>
    /// The script that atomically replaces table <paramref name="table"/> with the rules of
    /// <paramref name="spec"/>: "add" then "delete" makes the delete succeed whether or not the
    /// table existed, and all three commands run in one nft transaction.
    /// </summary>
    /// <exception cref="ArgumentException">An invalid table or device name, or an unusable address.</exception>
    public static string BuildApply(string table, SteeringSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var script = new StringBuilder(BuildRemove(table));
        script.Append(CultureInfo.InvariantCulture, $"table netdev {table} {{\n");
        AppendSet(script, "local4", "ipv4_addr", spec.LocalAddresses, AddressFamily.InterNetwork);
        AppendSet(script, "local6", "ipv6_addr", spec.LocalAddresses, AddressFamily.InterNetworkV6);

        var services = spec.Services.Distinct().Select(ServiceRule).ToArray();
        var realServers = spec.NatRealServers.Distinct().Select(RealServerRule).ToArray();
        var marked = spec.MarkedTraffic.Select(MarkedRule).ToArray();
        var devices = spec.Devices.Distinct(StringComparer.Ordinal).ToArray();
        for (var i = 0; i < devices.Length; i++)
        {
            if (!IsValidDevice(devices[i]))
            {
                throw new ArgumentException($"invalid interface name '{devices[i]}'", nameof(spec));
            }

            script.Append(CultureInfo.InvariantCulture, $"\tchain ingress_{i} {{\n");
            script.Append(CultureInfo.InvariantCulture, $"\t\ttype filter hook ingress device \"{devices[i]}\" priority -500; policy accept;\n");
            foreach (var rule in services.Concat(marked).Concat(realServers))
            {
                script.Append("\t\t").Append(rule).Append('\n');
            }

            script.Append("\t}\n");
        }

        script.Append("}\n");
        return script.ToString();
    }

    /// <summary>The script that deletes table <paramref name="table"/>, succeeding also when it does not exist.</summary>
    public static string BuildRemove(string table)
    {
        if (!IsValidTable(table))
        {
            throw new ArgumentException($"invalid nftables table name '{table}'", nameof(table));
        }

        return $"add table netdev {table}\ndelete table netdev {table}\n";
    }

    private static void AppendSet(StringBuilder script, string name, string type, IEnumerable<IPAddress> addresses, AddressFamily family)
    {
        var elements = addresses.Where(a => a.AddressFamily == family).Select(a => Format(a)).Distinct().ToArray();
        script.Append(CultureInfo.InvariantCulture, $"\tset {name} {{\n\t\ttype {type}\n");
        if (elements.Length > 0)
        {
            script.Append(CultureInfo.InvariantCulture, $"\t\telements = {{ {string.Join(", ", elements)} }}\n");
        }

        script.Append("\t}\n");
    }

    private static string ServiceRule(SteeredEndpoint service)
    {
        var ip = service.Address.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6" : "ip";
        return $"{ip} daddr {Format(service.Address)} {PortMatch(service, "dport")} drop";
    }

    /// <summary>The operator's marking rule as a drop rule (rendered from parsed values, never copied text).</summary>
    private static string MarkedRule(MarkRule rule)
    {
        var parts = rule.IsIpv6
            ? new List<string> { $"ip6 daddr {PrefixSet(rule.Destinations6)}" }
            : new List<string> { $"ip daddr {PrefixSet(rule.Destinations)}" };
        if (rule.IsIpv6 && rule.Sources6.Count > 0)
        {
            parts.Add($"ip6 saddr {PrefixSet(rule.Sources6)}");
        }
        else if (!rule.IsIpv6 && rule.Sources.Count > 0)
        {
            parts.Add($"ip saddr {PrefixSet(rule.Sources)}");
        }

        if (rule.Protocol is { } protocol)
        {
            if (protocol is not ("tcp" or "udp"))
            {
                throw new ArgumentException($"unsupported protocol '{protocol}' in a marking rule", nameof(rule));
            }

            parts.Add($"meta l4proto {protocol}");
        }

        if (rule.DestinationPorts.Count > 0)
        {
            parts.Add($"th dport {PortSet(rule.DestinationPorts)}");
        }

        if (rule.SourcePorts.Count > 0)
        {
            parts.Add($"th sport {PortSet(rule.SourcePorts)}");
        }

        parts.Add("drop");
        return string.Join(' ', parts);
    }

    private static string PrefixSet(IReadOnlyList<Prefix4> prefixes) =>
        prefixes.Count == 1 ? prefixes[0].ToString() : $"{{ {string.Join(", ", prefixes)} }}";

    private static string PrefixSet(IReadOnlyList<Prefix6> prefixes) =>
        prefixes.Count == 1 ? prefixes[0].ToString() : $"{{ {string.Join(", ", prefixes)} }}";

    private static string PortSet(IReadOnlyList<PortSpan> ports)
    {
        string[] items = [.. ports.Select(p => p.Low == p.High
            ? p.Low.ToString(CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{p.Low}-{p.High}"))];
        return items.Length == 1 ? items[0] : $"{{ {string.Join(", ", items)} }}";
    }

    private static string RealServerRule(SteeredEndpoint server)
    {
        var (ip, set) = server.Address.AddressFamily == AddressFamily.InterNetworkV6 ? ("ip6", "local6") : ("ip", "local4");
        return $"{ip} saddr {Format(server.Address)} {PortMatch(server, "sport")} {ip} daddr != @{set} drop";
    }

    private static string PortMatch(SteeredEndpoint endpoint, string direction)
    {
        var protocol = endpoint.Protocol switch
        {
            SteeringProtocol.Tcp => "tcp",
            SteeringProtocol.Udp => "udp",
            SteeringProtocol.Sctp => "sctp",
            _ => throw new ArgumentException($"unknown protocol {endpoint.Protocol}", nameof(endpoint)),
        };
        return endpoint.Port == 0
            ? $"meta l4proto {protocol}"
            : string.Create(CultureInfo.InvariantCulture, $"{protocol} {direction} {endpoint.Port}");
    }

    // IPAddress prints only digits, dots, colons and hex, plus "%scope" for scoped IPv6,
    // which nft cannot match on and we refuse.
    private static string Format(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException($"not an IP address: {address}", nameof(address));
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            throw new ArgumentException($"scoped IPv6 address {address} cannot be steered", nameof(address));
        }

        return address.ToString();
    }
}
