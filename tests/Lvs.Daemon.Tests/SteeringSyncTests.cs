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

    [Fact]
    public void FanoutKeyOf_PersistentServices_WidestMaskShortestPrefixNoPorts()
    {
        VirtualService Svc(InetAddress vip, ServiceSettings settings) =>
            new(new ServiceKey(IpProtocol.Tcp, vip, 80), new Lvs.Core.Scheduling.RoundRobinScheduler(), 1, settings);

        var plain = Svc(InetAddress.Parse("192.0.2.10"), new ServiceSettings("rr"));
        var p24 = Svc(InetAddress.Parse("192.0.2.11"), new ServiceSettings("rr", Persistent: true, PersistenceMask: 0xFFFF_FF00));
        var p32 = Svc(InetAddress.Parse("192.0.2.12"), new ServiceSettings("rr", Persistent: true));
        var p6 = Svc(InetAddress.Parse("2001:db8:a::10"), new ServiceSettings("rr", Persistent: true, PersistenceMask: 64));

        Assert.Equal(Lvs.Linux.PacketIO.Fanout.FanoutKey.Connection, SteeringSync.FanoutKeyOf([plain]));
        Assert.Equal(new Lvs.Linux.PacketIO.Fanout.FanoutKey(false, 0xFFFF_FF00, 128), SteeringSync.FanoutKeyOf([plain, p32, p24]));
        Assert.Equal(new Lvs.Linux.PacketIO.Fanout.FanoutKey(false, 0xFFFF_FFFF, 64), SteeringSync.FanoutKeyOf([p32, p6]));
    }
}
