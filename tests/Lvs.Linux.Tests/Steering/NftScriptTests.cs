using System.Net;
using Lvs.Linux.Steering;

namespace Lvs.Linux.Tests.Steering;

public sealed class NftScriptTests
{
    internal static SteeringSpec Sample(params string[] devices) => new()
    {
        Devices = devices,
        Services =
        [
            new(IPAddress.Parse("192.0.2.10"), SteeringProtocol.Tcp, 80),
            new(IPAddress.Parse("192.0.2.10"), SteeringProtocol.Udp, 53),
            new(IPAddress.Parse("2001:db8:a::10"), SteeringProtocol.Tcp, 443),
            new(IPAddress.Parse("192.0.2.11"), SteeringProtocol.Tcp, 0),
        ],
        NatRealServers =
        [
            new(IPAddress.Parse("10.0.0.2"), SteeringProtocol.Tcp, 8080),
            new(IPAddress.Parse("fd00::2"), SteeringProtocol.Tcp, 8080),
        ],
        LocalAddresses = [IPAddress.Parse("198.51.100.1"), IPAddress.Parse("10.0.0.1"), IPAddress.Parse("2001:db8:c::1")],
    };

    [Fact]
    public void BuildApply_Sample_ProducesExpectedScript()
    {
        var script = NftScript.BuildApply("lvsd", Sample("veth0", "veth1"));

        const string ExpectedRules =
            "\t\tip daddr 192.0.2.10 tcp dport 80 drop\n" +
            "\t\tip daddr 192.0.2.10 udp dport 53 drop\n" +
            "\t\tip6 daddr 2001:db8:a::10 tcp dport 443 drop\n" +
            "\t\tip daddr 192.0.2.11 meta l4proto tcp drop\n" +
            "\t\tip saddr 10.0.0.2 tcp sport 8080 ip daddr != @local4 drop\n" +
            "\t\tip6 saddr fd00::2 tcp sport 8080 ip6 daddr != @local6 drop\n";
        Assert.Equal(
            "add table netdev lvsd\n" +
            "delete table netdev lvsd\n" +
            "table netdev lvsd {\n" +
            "\tset local4 {\n\t\ttype ipv4_addr\n\t\telements = { 198.51.100.1, 10.0.0.1 }\n\t}\n" +
            "\tset local6 {\n\t\ttype ipv6_addr\n\t\telements = { 2001:db8:c::1 }\n\t}\n" +
            "\tchain ingress_0 {\n" +
            "\t\ttype filter hook ingress device \"veth0\" priority -500; policy accept;\n" +
            ExpectedRules +
            "\t}\n" +
            "\tchain ingress_1 {\n" +
            "\t\ttype filter hook ingress device \"veth1\" priority -500; policy accept;\n" +
            ExpectedRules +
            "\t}\n" +
            "}\n",
            script);
    }

    [Fact]
    public void BuildApply_Ipv6MarkingRule_DropsWithIp6Matches()
    {
        var rule = new MarkRule(9, "tcp", [], [], [new PortSpan(80, 80)], [], 2)
        {
            Destinations6 = [new Prefix6(new Lvs.Linux.Netlink.Ip6(0x2001_0db8_000a_0000UL, 0), 64)],
            Sources6 = [new Prefix6(new Lvs.Linux.Netlink.Ip6(0x2001_0db8_000c_0000UL, 0), 48)],
        };

        string script = NftScript.BuildApply("lvsd", new SteeringSpec { Devices = ["veth0"], MarkedTraffic = [rule] });

        Assert.Contains("\t\tip6 daddr 2001:db8:a::/64 ip6 saddr 2001:db8:c::/48 meta l4proto tcp th dport 80 drop\n", script);
    }

    [Fact]
    public void BuildApply_EmptySets_HaveNoElementsLine()
    {
        var script = NftScript.BuildApply("lvsd", new SteeringSpec { Devices = ["eth0"] });

        Assert.Contains("\tset local4 {\n\t\ttype ipv4_addr\n\t}\n", script);
        Assert.DoesNotContain("elements", script);
    }

    [Fact]
    public void BuildApply_DuplicateServices_EmittedOnce()
    {
        var vip = new SteeredEndpoint(IPAddress.Parse("192.0.2.10"), SteeringProtocol.Tcp, 80);
        var script = NftScript.BuildApply("lvsd", new SteeringSpec { Devices = ["eth0", "eth0"], Services = [vip, vip] });

        Assert.Single(script.Split('\n'), l => l.Contains("dport 80"));
        Assert.DoesNotContain("ingress_1", script);
    }

    [Theory]
    [InlineData("eth0\"; flush ruleset; \"")]
    [InlineData("eth 0")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("..")]
    [InlineData("averyveryverylong")]
    [InlineData("eth0\n")]
    public void BuildApply_InvalidDevice_Throws(string device)
    {
        Assert.Throws<ArgumentException>(() => NftScript.BuildApply("lvsd", new SteeringSpec { Devices = [device] }));
    }

    [Theory]
    [InlineData("lvsd; flush ruleset")]
    [InlineData("1abc")]
    [InlineData("")]
    [InlineData("a-b")]
    [InlineData("lvsd\n")]
    public void BuildRemove_InvalidTable_Throws(string table)
    {
        Assert.Throws<ArgumentException>(() => NftScript.BuildRemove(table));
        Assert.Throws<ArgumentException>(() => new NftSteering(table));
    }

    [Fact]
    public void BuildApply_ScopedIPv6_Throws()
    {
        var spec = new SteeringSpec { Devices = ["eth0"], Services = [new(IPAddress.Parse("fe80::1%2"), SteeringProtocol.Tcp, 80)] };

        Assert.Throws<ArgumentException>(() => NftScript.BuildApply("lvsd", spec));
    }

    [Fact]
    public void BuildRemove_OtherTable_UsesIt()
    {
        Assert.Equal("add table netdev lvs_test\ndelete table netdev lvs_test\n", NftScript.BuildRemove("lvs_test"));
    }

    [Fact]
    public void Failure_StderrWithLine_QuotesScriptLine()
    {
        var script = "add table netdev lvsd\ndelete table netdev lvsd\ntable netdev lvsd {\n\tchain c { bogus }\n}\n";
        var stderr = "/dev/stdin:4:12-16: Error: syntax error, unexpected string\n\tchain c { bogus }\n\t          ^^^^^\n";

        var error = NftSteering.Failure(script, stderr, 1);

        Assert.Equal(4, error.LineNumber);
        Assert.Contains("script line 4: chain c { bogus }", error.Message);
        Assert.Contains("syntax error", error.Message);
    }
}
