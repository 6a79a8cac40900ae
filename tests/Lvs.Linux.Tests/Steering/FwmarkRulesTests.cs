using Lvs.Linux.Steering;

namespace Lvs.Linux.Tests.Steering;

public class FwmarkRulesTests
{
    // What nft 1.0.6 prints (nft -j list table ip lvs_fwmark) for:
    //   ip daddr 192.0.2.10 tcp dport { 80, 443, 1000-2000 } meta mark set 1
    //   ip daddr 192.0.2.0/28 ip saddr 198.51.100.0/24 udp dport 53 meta mark set 0x2
    //   ip daddr { 192.0.2.20, 192.0.2.21 } meta l4proto tcp meta mark set 3
    //   ip daddr 192.0.2.30 th dport 8080 counter meta mark set 4   (with meta l4proto tcp added)
    private const string Captured = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
        {"table": {"family": "ip", "name": "lvs_fwmark", "handle": 1}},
        {"chain": {"family": "ip", "table": "lvs_fwmark", "name": "marks", "handle": 1}},
        {"rule": {"family": "ip", "table": "lvs_fwmark", "chain": "marks", "handle": 3, "expr": [
          {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "192.0.2.10"}},
          {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": {"set": [80, 443, {"range": [1000, 2000]}]}}},
          {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 1}}]}},
        {"rule": {"family": "ip", "table": "lvs_fwmark", "chain": "marks", "handle": 4, "expr": [
          {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": {"prefix": {"addr": "192.0.2.0", "len": 28}}}},
          {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": {"prefix": {"addr": "198.51.100.0", "len": 24}}}},
          {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 53}},
          {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 2}}]}},
        {"rule": {"family": "ip", "table": "lvs_fwmark", "chain": "marks", "handle": 5, "expr": [
          {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": {"set": ["192.0.2.20", "192.0.2.21"]}}},
          {"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "tcp"}},
          {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 3}}]}},
        {"rule": {"family": "ip", "table": "lvs_fwmark", "chain": "marks", "handle": 6, "expr": [
          {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "192.0.2.30"}},
          {"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "tcp"}},
          {"match": {"op": "==", "left": {"payload": {"protocol": "th", "field": "dport"}}, "right": 8080}},
          {"counter": {"packets": 0, "bytes": 0}},
          {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 4}}]}}]}
        """;

    // What nft 1.0.6 prints (nft -j list table ip6 lvs_fwmark) for:
    //   ip6 daddr 2001:db8:a::/64 tcp dport 80 meta mark set 9
    //   ip6 daddr { 2001:db8:a::1, 2001:db8:a::2 } ip6 saddr 2001:db8:c::/48 ip6 nexthdr udp meta mark set 10
    private const string Captured6 = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "ip6", "name": "lvs_fwmark", "handle": 1}}, {"chain": {"family": "ip6", "table": "lvs_fwmark", "name": "marks", "handle": 1}}, {"rule": {"family": "ip6", "table": "lvs_fwmark", "chain": "marks", "handle": 2, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": {"prefix": {"addr": "2001:db8:a::", "len": 64}}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 80}}, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 9}}]}}, {"rule": {"family": "ip6", "table": "lvs_fwmark", "chain": "marks", "handle": 4, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": {"set": ["2001:db8:a::1", "2001:db8:a::2"]}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "saddr"}}, "right": {"prefix": {"addr": "2001:db8:c::", "len": 48}}}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "nexthdr"}}, "right": "udp"}}, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 10}}]}}]}
        """;

    [Fact]
    public void Parse_CapturedIp6Table_Ipv6RulesUnderstood()
    {
        IReadOnlyList<MarkRule> rules = FwmarkRules.Parse(Captured6, family: "ip6");

        Assert.Equal([9u, 10u], rules.Select(r => r.Mark));
        Assert.All(rules, r => Assert.True(r.IsIpv6));
        Assert.Empty(rules[0].Destinations);
        Assert.Equal("2001:db8:a::/64", Assert.Single(rules[0].Destinations6).ToString());
        Assert.Equal(("tcp", 80), (rules[0].Protocol, (int)Assert.Single(rules[0].DestinationPorts).Low));
        Assert.Equal(["2001:db8:a::1/128", "2001:db8:a::2/128"], rules[1].Destinations6.Select(d => d.ToString()));
        Assert.Equal("2001:db8:c::/48", Assert.Single(rules[1].Sources6).ToString());
        Assert.Equal("udp", rules[1].Protocol);
    }

    [Fact]
    public void Parse_Ipv4MatchInIp6Table_Refused()
    {
        string json = Captured.Replace("\"family\": \"ip\"", "\"family\": \"ip6\"", StringComparison.Ordinal);

        FwmarkRuleException e = Assert.Throws<FwmarkRuleException>(() => FwmarkRules.Parse(json, family: "ip6"));

        Assert.Contains("table ip6 lvs_fwmark, rule handle 3: ip daddr in a table of family ip6", e.Message);
    }

    [Fact]
    public void Parse_CapturedTable_EveryRuleUnderstood()
    {
        IReadOnlyList<MarkRule> rules = FwmarkRules.Parse(Captured);

        Assert.Equal([1u, 2u, 3u, 4u], rules.Select(r => r.Mark));
        Assert.Equal("tcp", rules[0].Protocol);
        Assert.Equal([new PortSpan(80, 80), new PortSpan(443, 443), new PortSpan(1000, 2000)], rules[0].DestinationPorts);
        Assert.Equal("192.0.2.0/28", Assert.Single(rules[1].Destinations).ToString());
        Assert.Equal("198.51.100.0/24", Assert.Single(rules[1].Sources).ToString());
        Assert.Equal("udp", rules[1].Protocol);
        Assert.Equal(["192.0.2.20/32", "192.0.2.21/32"], rules[2].Destinations.Select(d => d.ToString()));
        Assert.Empty(rules[2].DestinationPorts);
        Assert.Equal((6L, "tcp"), (rules[3].Handle, rules[3].Protocol));
    }

    [Theory]
    [InlineData("""{"match": {"op": "!=", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "192.0.2.1"}}""", "only equality")]
    [InlineData("""{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": {"range": ["192.0.2.1", "192.0.2.9"]}}}""", "unsupported address")]
    [InlineData("""{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth0"}}""", "unsupported match")]
    [InlineData("""{"accept": null}""", "unsupported statement")]
    [InlineData("""{"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "sctp"}}""", "only tcp and udp")]
    public void Parse_UnsupportedExpression_RefusedNamingTheRule(string expression, string message)
    {
        string json = Table("""[{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "192.0.2.10"}}, """
            + expression + """, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 1}}]""");

        var e = Assert.Throws<FwmarkRuleException>(() => FwmarkRules.Parse(json));
        Assert.Contains("rule handle 9", e.Message);
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("""[{"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}}, "right": 80}}, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 1}}]""", "destination addresses")]
    [InlineData("""[{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "192.0.2.10"}}]""", "sets no mark")]
    [InlineData("""[{"mangle": {"key": {"meta": {"key": "mark"}}, "value": 1}}, {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "192.0.2.10"}}]""", "must be the last")]
    [InlineData("""[{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "192.0.2.10"}}, {"match": {"op": "==", "left": {"payload": {"protocol": "th", "field": "dport"}}, "right": 80}}, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 1}}]""", "need a protocol")]
    [InlineData("""[{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "192.0.2.10"}}, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": 0}}]""", "N > 0")]
    public void Parse_IncompleteRule_Refused(string expressions, string message)
    {
        var e = Assert.Throws<FwmarkRuleException>(() => FwmarkRules.Parse(Table(expressions)));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("""{"nftables": 5}""")]
    public void Parse_NotNftJson_RefusedWithoutOtherExceptions(string json)
    {
        Assert.Throws<FwmarkRuleException>(() => FwmarkRules.Parse(json));
    }

    [Fact]
    public void Parse_RandomMutations_OnlyRuleExceptions()
    {
        var random = new Random(4);
        char[] alphabet = "{}[]\":,0123456789abcdefipdaortsx.-/ ".ToCharArray();
        for (int n = 0; n < 20_000; n++)
        {
            char[] text = Captured.ToCharArray();
            for (int k = random.Next(1, 6); k > 0; k--)
            {
                text[random.Next(text.Length)] = alphabet[random.Next(alphabet.Length)];
            }

            try
            {
                FwmarkRules.Parse(new string(text));
            }
            catch (FwmarkRuleException)
            {
            }
        }
    }

    [Fact]
    public void BuildApply_MarkedTraffic_RenderedAsDropRules()
    {
        var spec = new SteeringSpec { Devices = ["eth0"], MarkedTraffic = FwmarkRules.Parse(Captured) };

        string script = NftScript.BuildApply("lvsd", spec);

        Assert.Contains("ip daddr 192.0.2.10/32 meta l4proto tcp th dport { 80, 443, 1000-2000 } drop", script);
        Assert.Contains("ip daddr 192.0.2.0/28 ip saddr 198.51.100.0/24 meta l4proto udp th dport 53 drop", script);
        Assert.Contains("ip daddr { 192.0.2.20/32, 192.0.2.21/32 } meta l4proto tcp drop", script);
    }

    private static string Table(string expressions) =>
        """{"nftables": [{"rule": {"family": "ip", "table": "lvs_fwmark", "chain": "marks", "handle": 9, "expr": """ + expressions + "}}]}";
}
