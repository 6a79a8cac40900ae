using Lvs.Admin.Output;
using Lvs.Contracts;

namespace Lvs.Admin.Tests.Output;

/// <summary>
/// -S against ipvsadm 1.31's FMT_RULE branches: "-A %s -s %s", " -p %u", " -M %s", " -o",
/// " -b %s"; "-a %s -r %s %s -w %d" and print_tunnel_rule's "--tun-type %s [--tun-port %d] %s".
/// </summary>
public class SaveFormatterTests
{
    private static readonly TrafficStats Zero = new(0, 0, 0, 0, 0);

    private static StatusSnapshot Snapshot(params ServiceStatus[] services) => new("1.2.1", 4096, 0, services);

    private static string Save(StatusSnapshot snapshot, bool numeric = true) => new SaveFormatter(numeric, new FakeNames()).Format(snapshot);

    private static RealServerStatus Server(string address, ushort port, string method = "masq", int weight = 1) =>
        new(address, port, method, weight, 0, 0, Zero);

    [Fact]
    public void Format_Empty_PrintsNothing()
    {
        Assert.Equal("", Save(Snapshot()));
    }

    [Fact]
    public void Format_NatService_ServersSortedAsList()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero,
            [Server("10.0.0.12", 80), Server("10.0.0.11", 80, weight: 3)]);

        Assert.Equal(
            "-A -t 192.0.2.10:80 -s rr\n" +
            "-a -t 192.0.2.10:80 -r 10.0.0.11:80 -m -w 3\n" +
            "-a -t 192.0.2.10:80 -r 10.0.0.12:80 -m -w 1\n",
            Save(Snapshot(service)));
    }

    [Fact]
    public void Format_ServiceOptions_InIpvsadmsOrder()
    {
        var persistent = new ServiceStatus(new ServiceKey("tcp", "192.0.2.11", 0), "sh", Zero, [])
        {
            Persistent = true,
            PersistenceTimeout = 600,
            PersistenceNetmask = "255.255.255.0",
            SchedulerFlags = ["sh-fallback", "sh-port"],
        };
        var udp = new ServiceStatus(new ServiceKey("udp", "192.0.2.12", 53), "wlc", Zero, [])
        {
            OnePacket = true,
            Persistent = true,
            PersistenceTimeout = 300,
            PersistenceNetmask = "255.255.255.255",
            SchedulerFlags = ["flag-3"],
        };

        Assert.Equal(
            "-A -t 192.0.2.11:0 -s sh -p 600 -M 255.255.255.0 -b sh-fallback,sh-port\n" +
            "-A -u 192.0.2.12:53 -s wlc -p 300 -o -b flag-3\n",
            Save(Snapshot(udp, persistent)));
    }

    [Fact]
    public void Format_Methods_SwitchesAndTunnelOptions()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "wrr", Zero,
        [
            Server("203.0.113.1", 80, "route", 0),
            Server("203.0.113.2", 80, "tunnel", 65535),
            new RealServerStatus("203.0.113.3", 80, "tunnel", 2, 0, 0, Zero) { TunnelType = "gue", TunnelPort = 6080, TunnelChecksum = "remcsum" },
            new RealServerStatus("203.0.113.4", 80, "tunnel", 2, 0, 0, Zero) { TunnelType = "gre", TunnelChecksum = "csum" },
            new RealServerStatus("203.0.113.5", 80, "tunnel", 2, 0, 0, Zero) { TunnelType = "gre", TunnelChecksum = "nocsum" },
            new RealServerStatus("203.0.113.6", 80, "local", 1, 0, 0, Zero),
        ]);

        Assert.Equal(
            "-A -t 192.0.2.10:80 -s wrr\n" +
            "-a -t 192.0.2.10:80 -r 203.0.113.1:80 -g -w 0\n" +
            "-a -t 192.0.2.10:80 -r 203.0.113.2:80 -i -w 65535 --tun-type ipip\n" +
            "-a -t 192.0.2.10:80 -r 203.0.113.3:80 -i -w 2 --tun-type gue --tun-port 6080 --tun-remcsum\n" +
            "-a -t 192.0.2.10:80 -r 203.0.113.4:80 -i -w 2 --tun-type gre --tun-csum\n" +
            "-a -t 192.0.2.10:80 -r 203.0.113.5:80 -i -w 2 --tun-type gre --tun-nocsum\n" +
            "-a -t 192.0.2.10:80 -r 203.0.113.6:80 -g -w 1\n",
            Save(Snapshot(service)));
    }

    [Fact]
    public void Format_Thresholds_AppendedOnlyWhenSet()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "lc", Zero,
        [
            new RealServerStatus("10.0.0.11", 80, "masq", 1, 0, 0, Zero) { UpperThreshold = 100, LowerThreshold = 50 },
            new RealServerStatus("10.0.0.12", 80, "masq", 1, 0, 0, Zero) { LowerThreshold = 7 },
            new RealServerStatus("10.0.0.13", 80, "tunnel", 1, 0, 0, Zero) { TunnelType = "ipip", UpperThreshold = 9 },
        ]);

        Assert.Equal(
            "-A -t 192.0.2.10:80 -s lc\n" +
            "-a -t 192.0.2.10:80 -r 10.0.0.11:80 -m -w 1 -x 100 -y 50\n" +
            "-a -t 192.0.2.10:80 -r 10.0.0.12:80 -m -w 1 -y 7\n" +
            "-a -t 192.0.2.10:80 -r 10.0.0.13:80 -i -w 1 --tun-type ipip -x 9\n",
            Save(Snapshot(service)));
    }

    [Fact]
    public void Format_FwmarkAndIpv6_SortedAfterTcpWithUnsignedMarks()
    {
        var big = new ServiceStatus(ServiceKey.ForFwmark(3000000000), "rr", Zero, [Server("10.0.0.11", 0, "route")]);
        var small = new ServiceStatus(ServiceKey.ForFwmark(1), "rr", Zero, [Server("10.0.0.11", 8080)]);
        var v6 = new ServiceStatus(new ServiceKey("tcp", "2001:db8:a::10", 443), "mh", Zero, [Server("2001:db8:b::1", 443, "route")])
        {
            SchedulerFlags = ["flag-3"],
            Persistent = true,
            PersistenceTimeout = 60,
            PersistenceNetmask = "128",
        };
        var v4 = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero, []);

        // ipvs_cmp_services: mark 0 (tcp) before mark 1, and mark 3000000000 - 0 wraps negative: first.
        // IPv4 before IPv6 by family. print_sched_flags leaves flag-3 of mh out; lvsadm keeps it.
        Assert.Equal(
            "-A -f 3000000000 -s rr\n" +
            "-a -f 3000000000 -r 10.0.0.11:0 -g -w 1\n" +
            "-A -t 192.0.2.10:80 -s rr\n" +
            "-A -t [2001:db8:a::10]:443 -s mh -p 60 -b flag-3\n" +
            "-a -t [2001:db8:a::10]:443 -r [2001:db8:b::1]:443 -g -w 1\n" +
            "-A -f 1 -s rr\n" +
            "-a -f 1 -r 10.0.0.11:8080 -m -w 1\n",
            Save(Snapshot(small, v6, big, v4)));
    }

    [Fact]
    public void Format_WithoutNumeric_NamesUncut()
    {
        var service = new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero, [Server("10.0.0.11", 80), Server("10.0.0.12", 8080)]);
        var fwmark = new ServiceStatus(ServiceKey.ForFwmark(2), "rr", Zero, [Server("10.0.0.11", 80)]);

        Assert.Equal(
            "-A -t vip.example:http -s rr\n" +
            "-a -t vip.example:http -r a-rather-long-real-server-name.example:http -m -w 1\n" +
            "-a -t vip.example:http -r 10.0.0.12:8080 -m -w 1\n" +
            "-A -f 2 -s rr\n" +
            "-a -f 2 -r a-rather-long-real-server-name.example:80 -m -w 1\n",
            Save(Snapshot(fwmark, service), numeric: false));
    }
}
