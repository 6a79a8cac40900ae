using System.Net;
using System.Text.Json;
using Lvs.Linux.Netlink;

namespace Lvs.Linux.Steering;

/// <summary>An IPv4 prefix, host order.</summary>
public readonly record struct Prefix4(uint Address, int Length)
{
    public uint Mask => Length == 0 ? 0 : uint.MaxValue << (32 - Length);

    public override string ToString() => $"{RoutingView.ToIPAddress(Address)}/{Length}";
}

/// <summary>An IPv6 prefix.</summary>
public readonly record struct Prefix6(Ip6 Address, int Length)
{
    public override string ToString() => $"{Address}/{Length}";
}

/// <summary>An inclusive port range.</summary>
public readonly record struct PortSpan(ushort Low, ushort High);

/// <summary>
/// One operator rule that gives matching packets a firewall mark: the destinations it names, and
/// optionally sources, a protocol and port ranges (null protocol: any).
/// </summary>
public sealed record MarkRule(
    uint Mark,
    string? Protocol,
    IReadOnlyList<Prefix4> Destinations,
    IReadOnlyList<Prefix4> Sources,
    IReadOnlyList<PortSpan> DestinationPorts,
    IReadOnlyList<PortSpan> SourcePorts,
    long Handle)
{
    /// <summary>For a rule of <c>table ip6</c>: its <c>ip6 daddr</c> prefixes (then <see cref="Destinations"/> is empty).</summary>
    public IReadOnlyList<Prefix6> Destinations6 { get; init; } = [];

    /// <summary>For a rule of <c>table ip6</c>: its <c>ip6 saddr</c> prefixes.</summary>
    public IReadOnlyList<Prefix6> Sources6 { get; init; } = [];

    /// <summary>True for an IPv6 rule (from <c>table ip6</c>): it marks only IPv6 packets.</summary>
    public bool IsIpv6 => Destinations6.Count > 0;
}

/// <summary>A marking rule lvsd cannot evaluate; the message names the rule by its nft handle.</summary>
public sealed class FwmarkRuleException(string message) : Exception(message);

/// <summary>
/// Reads the operator's marking rules for fwmark services from nftables: every rule of
/// <c>table ip &lt;name&gt;</c> (default lvs_fwmark) and, for IPv6 fwmark services (-6), of
/// <c>table ip6 &lt;name&gt;</c> with <c>ip6 daddr</c>/<c>ip6 saddr</c>/<c>ip6 nexthdr</c> in
/// place of the IPv4 matches, as <c>nft -j list table</c> prints them.
/// </summary>
/// <remarks>
/// lvsd's packet sockets see frames before the kernel's hooks, so a mark the kernel would set is
/// never visible to it: it evaluates these rules itself and steers what they match, as it does
/// for VIP:port services. The subset it understands: <c>ip daddr</c> (address, prefix or a set
/// of them; required, so a rule can never capture all traffic), <c>ip saddr</c>, <c>meta
/// l4proto</c> / <c>ip protocol</c> tcp|udp, <c>tcp|udp|th dport|sport</c> (port, range or set),
/// <c>counter</c>, and a final <c>meta mark set N</c>. Anything else refuses the whole table,
/// naming the rule, so a rule is never half applied.
/// </remarks>
public static class FwmarkRules
{
    public const string DefaultTable = "lvs_fwmark";

    /// <summary>Reads the table (in the calling process's network namespace); a missing table has no rules.</summary>
    public static IReadOnlyList<MarkRule> Read(string table = DefaultTable, string nftPath = "nft")
    {
        if (!NftScript.IsValidTable(table))
        {
            throw new ArgumentException($"invalid nftables table name '{table}'", nameof(table));
        }

        return [.. ReadFamily("ip", table, nftPath), .. ReadFamily("ip6", table, nftPath)];
    }

    private static IReadOnlyList<MarkRule> ReadFamily(string family, string table, string nftPath)
    {
        ProcessResult result = ProcessRunner.Run(nftPath, ["-j", "list", "table", family, table], null, TimeSpan.FromSeconds(10));
        if (result.ExitCode != 0)
        {
            if (result.Stderr.Contains("No such file or directory", StringComparison.Ordinal))
            {
                return [];
            }

            throw new FwmarkRuleException($"nft -j list table {family} {table}: {result.Stderr.Trim()}");
        }

        return Parse(result.Stdout, table, family);
    }

    /// <summary>Parses <c>nft -j</c> output; throws <see cref="FwmarkRuleException"/> on anything outside the subset.</summary>
    /// <param name="family">"ip" or "ip6": the table's family, which is the family of every rule in it.</param>
    public static IReadOnlyList<MarkRule> Parse(string json, string table = DefaultTable, string family = "ip")
    {
        bool v6 = family == "ip6";
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FwmarkRuleException($"table {family} {table}: nft printed no JSON ({e.Message})");
        }

        using (doc)
        {
            try
            {
                return ParseDocument(doc.RootElement, table, v6);
            }
            catch (Exception e) when (e is InvalidOperationException or IndexOutOfRangeException or FormatException)
            {
                // JsonElement's accessors throw on a value of an unexpected kind: the JSON is not nft's.
                throw new FwmarkRuleException($"table {family} {table}: unexpected JSON from nft ({e.Message})");
            }
        }
    }

    private static List<MarkRule> ParseDocument(JsonElement root, string table, bool v6)
    {
        var rules = new List<MarkRule>();
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("nftables", out JsonElement items) || items.ValueKind != JsonValueKind.Array)
        {
            throw new FwmarkRuleException($"table {(v6 ? "ip6" : "ip")} {table}: no \"nftables\" array in nft's JSON");
        }

        foreach (JsonElement item in items.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && item.TryGetProperty("rule", out JsonElement rule))
            {
                rules.Add(ParseRule(rule, table, v6));
            }
        }

        return rules;
    }

    private static MarkRule ParseRule(JsonElement rule, string table, bool v6)
    {
        long handle = rule.TryGetProperty("handle", out JsonElement h) && h.TryGetInt64(out long v) ? v : 0;
        string where = $"table {(v6 ? "ip6" : "ip")} {table}, rule handle {handle}";
        var builder = new RuleBuilder { Ipv6 = v6 };
        if (!rule.TryGetProperty("expr", out JsonElement exprs) || exprs.ValueKind != JsonValueKind.Array)
        {
            throw new FwmarkRuleException($"{where}: no expressions");
        }

        foreach (JsonElement expr in exprs.EnumerateArray())
        {
            if (expr.TryGetProperty("counter", out _))
            {
                continue;
            }

            if (builder.Mark != 0)
            {
                throw new FwmarkRuleException($"{where}: 'meta mark set' must be the last statement");
            }

            if (expr.TryGetProperty("mangle", out JsonElement mangle))
            {
                builder.Mark = ParseMark(mangle, where);
            }
            else if (expr.TryGetProperty("match", out JsonElement match))
            {
                ParseMatch(match, builder, where);
            }
            else
            {
                throw new FwmarkRuleException($"{where}: unsupported statement {Describe(expr)}");
            }
        }

        if (builder.Mark == 0)
        {
            throw new FwmarkRuleException($"{where}: the rule sets no mark (end it with 'meta mark set N', N > 0)");
        }

        if (builder.Destinations.Count == 0 && builder.Destinations6.Count == 0)
        {
            throw new FwmarkRuleException(
                $"{where}: the rule must name destination addresses ({(v6 ? "ip6" : "ip")} daddr), or it would capture all traffic");
        }

        if ((builder.DestinationPorts.Count > 0 || builder.SourcePorts.Count > 0) && builder.Protocol is null)
        {
            throw new FwmarkRuleException($"{where}: ports need a protocol (tcp/udp dport, or meta l4proto)");
        }

        return new MarkRule(builder.Mark, builder.Protocol, builder.Destinations, builder.Sources,
            builder.DestinationPorts, builder.SourcePorts, handle)
        {
            Destinations6 = builder.Destinations6,
            Sources6 = builder.Sources6,
        };
    }

    private static uint ParseMark(JsonElement mangle, string where)
    {
        bool isMark = mangle.TryGetProperty("key", out JsonElement key) && key.TryGetProperty("meta", out JsonElement meta)
                      && meta.TryGetProperty("key", out JsonElement k) && k.GetString() == "mark";
        if (!isMark || !mangle.TryGetProperty("value", out JsonElement value) || !value.TryGetUInt32(out uint mark) || mark == 0)
        {
            throw new FwmarkRuleException($"{where}: only 'meta mark set N' with a number N > 0 is supported, not {Describe(mangle)}");
        }

        return mark;
    }

    private static void ParseMatch(JsonElement match, RuleBuilder b, string where)
    {
        string op = match.TryGetProperty("op", out JsonElement o) ? o.GetString() ?? "" : "";
        if (op is not ("==" or "in") || !match.TryGetProperty("left", out JsonElement left) || !match.TryGetProperty("right", out JsonElement right))
        {
            throw new FwmarkRuleException($"{where}: unsupported match {Describe(match)} (only equality and set membership)");
        }

        if (left.TryGetProperty("meta", out JsonElement meta) && meta.TryGetProperty("key", out JsonElement mk) && mk.GetString() == "l4proto")
        {
            b.SetProtocol(ProtocolName(right, where), where);
            return;
        }

        if (!left.TryGetProperty("payload", out JsonElement payload)
            || !payload.TryGetProperty("protocol", out JsonElement p) || !payload.TryGetProperty("field", out JsonElement f))
        {
            throw new FwmarkRuleException($"{where}: unsupported match on {Describe(left)}");
        }

        string protocol = p.GetString() ?? "", field = f.GetString() ?? "";
        if (protocol is "ip" or "ip6" && protocol != (b.Ipv6 ? "ip6" : "ip"))
        {
            throw new FwmarkRuleException($"{where}: {protocol} {field} in a table of family {(b.Ipv6 ? "ip6" : "ip")}");
        }

        switch (protocol, field)
        {
            case ("ip6", "daddr"):
                Prefixes6(right, b.Destinations6, where);
                break;
            case ("ip6", "saddr"):
                Prefixes6(right, b.Sources6, where);
                break;
            case ("ip6", "nexthdr"):
                b.SetProtocol(ProtocolName(right, where), where);
                break;
            case ("ip", "daddr"):
                Prefixes(right, b.Destinations, where);
                break;
            case ("ip", "saddr"):
                Prefixes(right, b.Sources, where);
                break;
            case ("ip", "protocol"):
                b.SetProtocol(ProtocolName(right, where), where);
                break;
            case ("tcp" or "udp" or "th", "dport" or "sport"):
                if (protocol != "th")
                {
                    b.SetProtocol(protocol, where);
                }

                Ports(right, field == "dport" ? b.DestinationPorts : b.SourcePorts, where);
                break;
            default:
                throw new FwmarkRuleException($"{where}: unsupported match on {protocol} {field}");
        }
    }

    private static string ProtocolName(JsonElement right, string where) =>
        right.ValueKind == JsonValueKind.String && right.GetString() is "tcp" or "udp"
            ? right.GetString()!
            : throw new FwmarkRuleException($"{where}: only tcp and udp are supported as protocols, not {Describe(right)}");

    private static void Prefixes(JsonElement right, List<Prefix4> into, string where)
    {
        foreach (JsonElement e in Elements(right))
        {
            if (e.ValueKind == JsonValueKind.String && TryAddress(e.GetString(), out uint a))
            {
                into.Add(new Prefix4(a, 32));
            }
            else if (e.TryGetProperty("prefix", out JsonElement prefix) && prefix.TryGetProperty("addr", out JsonElement addr)
                     && TryAddress(addr.GetString(), out uint pa) && prefix.TryGetProperty("len", out JsonElement len)
                     && len.TryGetInt32(out int l) && l is >= 0 and <= 32)
            {
                into.Add(new Prefix4(pa, l));
            }
            else
            {
                throw new FwmarkRuleException($"{where}: unsupported address {Describe(e)} (an IPv4 address or prefix)");
            }
        }
    }

    private static void Prefixes6(JsonElement right, List<Prefix6> into, string where)
    {
        foreach (JsonElement e in Elements(right))
        {
            if (e.ValueKind == JsonValueKind.String && TryAddress6(e.GetString(), out Ip6 a))
            {
                into.Add(new Prefix6(a, 128));
            }
            else if (e.TryGetProperty("prefix", out JsonElement prefix) && prefix.TryGetProperty("addr", out JsonElement addr)
                     && TryAddress6(addr.GetString(), out Ip6 pa) && prefix.TryGetProperty("len", out JsonElement len)
                     && len.TryGetInt32(out int l) && l is >= 0 and <= 128)
            {
                into.Add(new Prefix6(pa.Mask(l), l));
            }
            else
            {
                throw new FwmarkRuleException($"{where}: unsupported address {Describe(e)} (an IPv6 address or prefix)");
            }
        }
    }

    private static bool TryAddress6(string? text, out Ip6 address)
    {
        address = default;
        if (text is null || !IPAddress.TryParse(text, out IPAddress? ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6
            || ip.ScopeId != 0)
        {
            return false;
        }

        address = Ip6.FromIPAddress(ip);
        return true;
    }

    private static void Ports(JsonElement right, List<PortSpan> into, string where)
    {
        foreach (JsonElement e in Elements(right))
        {
            if (e.ValueKind == JsonValueKind.Number && e.TryGetUInt16(out ushort port))
            {
                into.Add(new PortSpan(port, port));
            }
            else if (e.TryGetProperty("range", out JsonElement range) && range.GetArrayLength() == 2
                     && range[0].TryGetUInt16(out ushort lo) && range[1].TryGetUInt16(out ushort hi) && lo <= hi)
            {
                into.Add(new PortSpan(lo, hi));
            }
            else
            {
                throw new FwmarkRuleException($"{where}: unsupported port {Describe(e)} (a port, range or set of them)");
            }
        }
    }

    private static IEnumerable<JsonElement> Elements(JsonElement right) =>
        right.ValueKind == JsonValueKind.Object && right.TryGetProperty("set", out JsonElement set) && set.ValueKind == JsonValueKind.Array
            ? set.EnumerateArray()
            : [right];

    private static bool TryAddress(string? text, out uint address)
    {
        address = 0;
        if (text is null || !IPAddress.TryParse(text, out IPAddress? ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return false;
        }

        address = RoutingView.ToUInt32(ip);
        return true;
    }

    private static string Describe(JsonElement e)
    {
        string text = e.GetRawText();
        return text.Length <= 80 ? text : text[..80] + "...";
    }

    private sealed class RuleBuilder
    {
        public uint Mark;
        public string? Protocol;
        public readonly List<Prefix4> Destinations = [];
        public readonly List<Prefix4> Sources = [];
        public readonly List<Prefix6> Destinations6 = [];
        public readonly List<Prefix6> Sources6 = [];
        public bool Ipv6;
        public readonly List<PortSpan> DestinationPorts = [];
        public readonly List<PortSpan> SourcePorts = [];

        public void SetProtocol(string protocol, string where)
        {
            if (Protocol is not null && Protocol != protocol)
            {
                throw new FwmarkRuleException($"{where}: the rule names two protocols ({Protocol}, {protocol})");
            }

            Protocol = protocol;
        }
    }
}
