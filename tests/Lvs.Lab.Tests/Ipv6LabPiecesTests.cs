using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>The IPv6 pieces of the lab that need no root: options, nginx's listeners, service names.</summary>
public sealed class Ipv6LabPiecesTests
{
    [Fact]
    public void TryParseOptions_Ipv6Flag_AddsIpv6ServiceOnDualStackLab()
    {
        Assert.True(LabCommands.TryParseOptions(["--method", "dr", "--ipv6"], TextWriter.Null, out var options, out var methods, out _));

        Assert.True(options.Ipv6);
        Assert.True(options.Ipv6Service);
        Assert.Equal([ForwardingMethod.Dr], methods);
    }

    [Fact]
    public void TryParseOptions_NoIpv6Flag_Ipv4OnlyLab()
    {
        Assert.True(LabCommands.TryParseOptions([], TextWriter.Null, out var options, out _, out _));

        // The demo's output stays as it was: no IPv6 addresses, agents' VIPs or service unless asked for.
        Assert.False(options.Ipv6);
        Assert.False(options.Ipv6Service);
    }

    [Fact]
    public void Render_Ipv6_ListensOnBothFamiliesOnce()
    {
        string conf = NginxConfig.Render("rs1", "/tmp/x", bigFile: null, ipv6: true);

        Assert.Single(conf.Split('\n'), l => l.Trim() == "listen 0.0.0.0:80 default_server reuseport backlog=4096;");
        Assert.Single(conf.Split('\n'), l => l.Trim() == "listen [::]:80 default_server reuseport backlog=4096 ipv6only=on;");
    }

    [Fact]
    public void Render_Ipv4Only_NoIpv6Listener()
    {
        string conf = NginxConfig.Render("rs1", "/tmp/x", bigFile: null);

        Assert.DoesNotContain("[::]", conf);
        Assert.Contains("listen 0.0.0.0:80 ", conf);
    }

    [Fact]
    public void Vip6Names_AsLvsadmAndCurlWriteThem()
    {
        Assert.Equal("[2001:db8:a::1]:80", LabTopology.Vip6Service);
        Assert.Equal("[2001:db8:a::1]:53", LabTopology.Vip6DnsService);
        Assert.Equal("http://[2001:db8:a::1]/big", LabTopology.Vip6Url("/big"));
    }

    [Fact]
    public void Parse_Ipv6ServiceLine_CountersRead()
    {
        const string listing = """
            IP Virtual Server version 1.2.1 (size=4096)
            Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
              -> RemoteAddress:Port
            TCP  192.0.2.10:80                       1        6        0      400        0
            TCP  [2001:db8:a::1]:80                 32      192        0    14464        0
              -> [2001:db8:b::11]:80                16       96        0     7232        0
            """;

        var stats = ServiceStats.Parse(listing, "TCP", LabTopology.Vip6Service);

        Assert.Equal(new ServiceStats(32, 192, 0, 14464, 0), stats);
    }
}
