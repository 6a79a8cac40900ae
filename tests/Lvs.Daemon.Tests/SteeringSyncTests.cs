using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Linux.Netlink;
using Lvs.Linux.Steering;

namespace Lvs.Daemon.Tests;

public class SteeringSyncTests
{
    [Fact]
    public void ToClassifier_Ipv6Rule_MarksOnlyIpv6PacketsInItsPrefix()
    {
        var rule = new MarkRule(9, "tcp", [], [], [new PortSpan(80, 80)], [], 2)
        {
            Destinations6 = [new Prefix6(new Ip6(0x2001_0db8_000a_0000UL, 0), 64)],
        };

        FwmarkClassifier c = SteeringSync.ToClassifier([rule]);

        InetAddress client = Ipv6Address.Parse("2001:db8:c::2");
        Assert.Equal(9u, c.Classify(IpProtocol.Tcp, client, 40000, Ipv6Address.Parse("2001:db8:a::1"), 80));
        Assert.Equal(0u, c.Classify(IpProtocol.Tcp, client, 40000, Ipv6Address.Parse("2001:db8:b::1"), 80));
        Assert.Equal(0u, c.Classify(IpProtocol.Udp, client, 40000, Ipv6Address.Parse("2001:db8:a::1"), 80));
        Assert.Equal(0u, c.Classify(IpProtocol.Tcp, InetAddress.Parse("198.51.100.2"), 40000, InetAddress.Parse("192.0.2.10"), 80));
    }
}
