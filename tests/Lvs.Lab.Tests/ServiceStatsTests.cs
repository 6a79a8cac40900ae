using Lvs.Lab;

namespace Lvs.Lab.Tests;

public sealed class ServiceStatsTests
{
    // ipvsadm 1.31's -L -n --stats --exact layout, with a second service and its servers.
    private const string Listing = """
        IP Virtual Server version 1.2.1 (size=4096)
        Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
          -> RemoteAddress:Port
        TCP  192.0.2.10:80                      32      192        0    12544        0
          -> 203.0.113.11:80                    16       96        0     6272        0
          -> 203.0.113.12:80                    16       96        0     6272        0
        TCP  192.0.2.10:8080                     1        5        4      300  1048576
        UDP  192.0.2.10:80                       7        7        7      700      700

        """;

    [Fact]
    public void Parse_ServiceListed_ReadsItsLineNotItsServers()
    {
        Assert.Equal(new ServiceStats(32, 192, 0, 12544, 0), ServiceStats.Parse(Listing, "TCP", "192.0.2.10:80"));
    }

    [Fact]
    public void Parse_SameAddressOtherPortOrProtocol_Distinguished()
    {
        Assert.Equal(new ServiceStats(1, 5, 4, 300, 1048576), ServiceStats.Parse(Listing, "TCP", "192.0.2.10:8080"));
        Assert.Equal(new ServiceStats(7, 7, 7, 700, 700), ServiceStats.Parse(Listing, "UDP", "192.0.2.10:80"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("TCP  192.0.2.10:80  32  192  0\n")]
    [InlineData("TCP  192.0.2.10:80  32  192  1K  12544  0\n")]
    [InlineData("TCP  192.0.2.11:80  32  192  0  12544  0\n")]
    public void Parse_MissingOrNotExact_Throws(string listing) =>
        Assert.Throws<FormatException>(() => ServiceStats.Parse(listing, "TCP", "192.0.2.10:80"));
}
