using Lvs.Lab;

namespace Lvs.Lab.Tests;

public sealed class ServiceRatesTests
{
    // ipvsadm 1.31's -L -n --rate --exact layout, with a second service and its servers.
    private const string Listing = """
        IP Virtual Server version 1.2.1 (size=4096)
        Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS
          -> RemoteAddress:Port
        TCP  192.0.2.10:80                     212     1484     1272    98136   234920
          -> 10.0.0.11:80                      106      742      636    49068   117460
          -> 10.0.0.12:80                      106      742      636    49068   117460
        TCP  192.0.2.10:8080                     0        0        0        0        0
        UDP  192.0.2.10:80                       3        3        3      180      420

        """;

    [Fact]
    public void Parse_ServiceListed_ReadsItsLineNotItsServers()
    {
        Assert.Equal(new ServiceRates(212, 1484, 1272, 98136, 234920), ServiceRates.Parse(Listing, "TCP", "192.0.2.10:80"));
    }

    [Fact]
    public void Parse_SameAddressOtherPortOrProtocol_Distinguished()
    {
        Assert.Equal(new ServiceRates(0, 0, 0, 0, 0), ServiceRates.Parse(Listing, "TCP", "192.0.2.10:8080"));
        Assert.Equal(new ServiceRates(3, 3, 3, 180, 420), ServiceRates.Parse(Listing, "UDP", "192.0.2.10:80"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Prot LocalAddress:Port CPS\nTCP  192.0.2.10:80  32  192  0\n")]
    [InlineData("Prot LocalAddress:Port CPS\nTCP  192.0.2.10:80  32  192  1K  12544  0\n")]
    [InlineData("Prot LocalAddress:Port CPS\nTCP  192.0.2.11:80  32  192  0  12544  0\n")]
    [InlineData("Prot LocalAddress:Port   Conns\nTCP  192.0.2.10:80  32  192  0  12544  0\n")]
    public void Parse_MissingNotExactOrNotRates_Throws(string listing) =>
        Assert.Throws<FormatException>(() => ServiceRates.Parse(listing, "TCP", "192.0.2.10:80"));
}
