using System.Net;
using Lvs.Linux.Steering;

namespace Lvs.Linux.Tests.Steering;

/// <summary>NftSteering against the real nftables, inside a namespace this test creates.</summary>
public sealed class NftSteeringTests
{
    [RootFact("runs nft in a network namespace")]
    public void ApplyThenRemoveAll_InNamespace_RulesAppearAndGo()
    {
        var prefix = TestNamespace.NewPrefix();
        using var a = TestNamespace.Create(prefix, "a");
        using var b = TestNamespace.Create(prefix, "b");
        TestNamespace.LinkVeth(a, "lvs0", "198.51.100.1/24", b, "lvs1", "198.51.100.2/24");
        var steering = new NftSteering(netns: a.Name);

        // At start: removing a table that is not there succeeds (stale-rule cleanup).
        steering.RemoveAll();
        steering.Apply(NftScriptTests.Sample("lvs0"));
        var listed = a.Exec("nft", "list", "table", "netdev", "lvsd");

        Assert.Contains("type filter hook ingress device \"lvs0\" priority -500; policy accept;", listed);
        Assert.Contains("ip daddr 192.0.2.10 tcp dport 80 drop", listed);
        Assert.Contains("ip daddr 192.0.2.10 udp dport 53 drop", listed);
        Assert.Contains("ip6 daddr 2001:db8:a::10 tcp dport 443 drop", listed);
        Assert.Contains("ip saddr 10.0.0.2 tcp sport 8080 ip daddr != @local4 drop", listed);
        Assert.Contains("198.51.100.1", listed);

        // A second Apply replaces everything: the old service's rule is gone.
        steering.Apply(new SteeringSpec
        {
            Devices = ["lvs0"],
            Services = [new(IPAddress.Parse("192.0.2.20"), SteeringProtocol.Tcp, 8443)],
        });
        listed = a.Exec("nft", "list", "table", "netdev", "lvsd");
        Assert.Contains("ip daddr 192.0.2.20 tcp dport 8443 drop", listed);
        Assert.DoesNotContain("192.0.2.10", listed);

        steering.RemoveAll();
        Assert.DoesNotContain("lvsd", a.Exec("nft", "list", "tables"));
        steering.RemoveAll();
    }

    [RootFact("runs nft in a network namespace")]
    public void Apply_ApplyAgainWithOtherDevice_OnlyNewDeviceHooked()
    {
        var prefix = TestNamespace.NewPrefix();
        using var a = TestNamespace.Create(prefix, "a");
        using var b = TestNamespace.Create(prefix, "b");
        TestNamespace.LinkVeth(a, "lvs0", null, b, "lvs1", null);
        a.Ip("link", "add", "lvs2", "type", "veth", "peer", "name", "lvs3");
        var steering = new NftSteering("lvs_test", netns: a.Name);

        steering.Apply(NftScriptTests.Sample("lvs0"));
        steering.Apply(NftScriptTests.Sample("lvs2"));
        var listed = a.Exec("nft", "list", "table", "netdev", "lvs_test");

        Assert.Contains("device \"lvs2\"", listed);
        Assert.DoesNotContain("lvs0", listed);
        steering.RemoveAll();
    }

    [RootFact("runs nft through ip netns exec")]
    public void Apply_NamespaceMissing_ThrowsWithStderr()
    {
        var steering = new NftSteering(netns: TestNamespace.NewPrefix() + "-absent");

        var error = Assert.Throws<NftException>(() => steering.Apply(NftScriptTests.Sample("lvs0")));

        Assert.NotEmpty(error.Stderr);
        Assert.Contains(error.Stderr.Trim(), error.Message);
        Assert.StartsWith("add table netdev lvsd\n", error.Script);
    }
}
