using Lvs.Admin.Output;
using Lvs.Contracts;

namespace Lvs.Admin.Tests.Output;

/// <summary>
/// -L --rate against ipvsadm 1.31's print_title / print_service_entry FMT_RATE branches: the
/// service's five rates through print_largenum, a server's CPS/InPPS/OutPPS through a plain
/// " %8llu" and only its byte rates through print_largenum. Expected text built from those formats.
/// </summary>
public class RateFormatTests
{
    private static readonly TrafficStats Zero = new(0, 0, 0, 0, 0);

    private static StatusSnapshot Table() => new("1.2.1", 4096, 0,
    [
        new ServiceStatus(new ServiceKey("tcp", "192.0.2.10", 80), "rr", Zero,
        [
            new RealServerStatus("10.0.0.12", 80, "masq", 1, 0, 0, Zero) { Rates = new(123456789, 140, 120, 63456789, 2267890123) },
            new RealServerStatus("10.0.0.11", 80, "masq", 1, 0, 0, Zero) { Rates = new(7, 200, 170, 60000, 2300000000) },
        ])
        {
            Rates = new(12, 340, 290, 123456789, 4567890123),
        },
    ]);

    private static string List(StatusSnapshot snapshot, bool exact = false, bool stats = false) =>
        new ListFormatter(new ListFormat(true, stats, exact, false, Rate: true), new FakeNames()).FormatAll(snapshot);

    [Fact]
    public void FormatAll_Rate_IpvsadmLayoutAndSuffixes()
    {
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  192.0.2.10:80                      12      340      290  123456K    4567M\n" +
            "  -> 10.0.0.11:80                        7      200      170    60000    2300M\n" +
            "  -> 10.0.0.12:80                 123456789      140      120 63456789    2267M\n",
            List(Table()));
    }

    [Fact]
    public void FormatAll_RateExact_WholeNumbers()
    {
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  192.0.2.10:80                      12      340      290 123456789 4567890123\n" +
            "  -> 10.0.0.11:80                        7      200      170    60000 2300000000\n" +
            "  -> 10.0.0.12:80                 123456789      140      120 63456789 2267890123\n",
            List(Table(), exact: true));
    }

    [Fact]
    public void FormatAll_StatsAndRate_StatsWinAsInIpvsadm()
    {
        string stats = new ListFormatter(new ListFormat(true, true, false, false), new FakeNames()).FormatAll(Table());

        Assert.Equal(stats, List(Table(), stats: true));
    }

    [Fact]
    public void FormatAll_RateWithoutEstimates_Zeros()
    {
        var snapshot = new StatusSnapshot("1.2.1", 4096, 0,
        [
            new ServiceStatus(ServiceKey.ForFwmark(7), "wlc", Zero, [new RealServerStatus("10.0.0.11", 0, "route", 1, 0, 0, Zero)]),
        ]);

        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n" +
            "  -> RemoteAddress:Port\n" +
            "FWM  7                                   0        0        0        0        0\n" +
            "  -> 10.0.0.11:0                         0        0        0        0        0\n",
            List(snapshot));
    }

    [Fact]
    public void FormatOne_Rate_TitleWithoutHeader()
    {
        ServiceStatus service = Table().Services[0];

        string text = new ListFormatter(new ListFormat(true, false, false, false, Rate: true), new FakeNames()).FormatOne(service);

        Assert.StartsWith("Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n  -> RemoteAddress:Port\nTCP  192.0.2.10:80 ", text);
    }
}
