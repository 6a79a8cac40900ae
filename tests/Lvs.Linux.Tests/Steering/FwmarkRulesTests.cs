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
