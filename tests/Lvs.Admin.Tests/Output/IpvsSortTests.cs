using Lvs.Admin.Output;
using Lvs.Contracts;

namespace Lvs.Admin.Tests.Output;

public class IpvsSortTests
{
    private static readonly TrafficStats Zero = new(0, 0, 0, 0, 0);

    private static RealServerStatus Server(string address, ushort port) => new(address, port, "masq", 1, 0, 0, Zero);

    [Fact]
    public void Servers_CloseAddresses_AscendingByAddressThenPort()
    {
        List<RealServerStatus> sorted = IpvsSort.Servers(
            [Server("10.0.0.12", 80), Server("10.0.0.11", 8080), Server("10.0.0.11", 80), Server("10.0.0.9", 80)]);

        Assert.Equal(["10.0.0.9:80", "10.0.0.11:80", "10.0.0.11:8080", "10.0.0.12:80"], sorted.Select(s => $"{s.Address}:{s.Port}"));
    }

    [Fact]
    public void Servers_AddressesMoreThan2Pow31Apart_CompareAsLibipvsIntSubtraction()
    {
        // ntohl(203.0.113.1) - ntohl(10.0.0.1) overflows int: libipvs says 203.0.113.1 comes first.
        List<RealServerStatus> sorted = IpvsSort.Servers([Server("10.0.0.1", 80), Server("203.0.113.1", 80)]);

        Assert.Equal(["203.0.113.1", "10.0.0.1"], sorted.Select(s => s.Address));
    }

    [Fact]
    public void Services_FamilyBeforeAddress_IPv4First()
    {
        List<ServiceStatus> sorted = IpvsSort.Services(
        [
            new ServiceStatus(new ServiceKey("tcp", "2001:db8:a::1", 80), "rr", Zero, []),
            new ServiceStatus(new ServiceKey("tcp", "192.0.2.20", 80), "rr", Zero, []),
            new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero, []),
        ]);

        Assert.Equal(["192.0.2.10", "192.0.2.20", "2001:db8:a::1"], sorted.Select(s => s.Key.Address));
    }

    [Fact]
    public void Servers_EqualKeys_KeepInsertionOrder()
    {
        var first = new RealServerStatus("10.0.0.11", 80, "masq", 1, 0, 0, Zero);
        var second = new RealServerStatus("10.0.0.11", 80, "masq", 2, 0, 0, Zero);

        Assert.Equal([1, 2], IpvsSort.Servers([first, second]).Select(s => s.Weight));
    }
}
