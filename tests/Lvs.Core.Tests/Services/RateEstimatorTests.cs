using Lvs.Core.Services;

namespace Lvs.Core.Tests.Services;

public class RateEstimatorTests
{
    [Fact]
    public void Tick_FirstTick_QuarterOfTheRateAsTheKernel()
    {
        var e = new RateEstimator();
        e.Tick(new TrafficTotals(200, 2000, 1000, 1_000_000, 500_000)); // over 2 s: 100 cps, 1000 pps, 500 KB/s ...

        // avg += (rate - avg) >> 2 from 0: a quarter, then read back rounded (ip_vs_read_estimator).
        Assert.Equal(new TrafficRateValues(25, 250, 125, 125_000, 62_500), e.Rates);
    }

    [Fact]
    public void Tick_SteadyRate_Converges()
    {
        var e = new RateEstimator();
        var t = new TrafficTotals(0, 0, 0, 0, 0);
        for (int i = 0; i < 60; i++)
        {
            t = new TrafficTotals(t.Conns + 200, t.InPackets + 20_000, t.OutPackets + 10_000, t.InBytes + 2_000_000, t.OutBytes + 30_000_000);
            e.Tick(t);
        }

        // The shifted average creeps up on the rate from below and may stay a unit short, as in the kernel.
        TrafficRateValues r = e.Rates;
        Assert.Equal((100, 10_000, 5_000), (r.Cps, r.InPps, r.OutPps));
        Assert.InRange(r.InBps, 999_999, 1_000_000);
        Assert.InRange(r.OutBps, 14_999_999, 15_000_000);
    }

    [Fact]
    public void Zero_ResetsRatesAndMeasuresFromThere()
    {
        var counters = new CounterSet(1);
        counters[0].Conns = 1000;
        counters.EstimateTick();
        Assert.NotEqual(0, counters.Estimator.Rates.Cps);

        counters.Zero();
        Assert.Equal(default, counters.Estimator.Rates);
        counters.EstimateTick();                      // no growth since the zero
        Assert.Equal(0, counters.Estimator.Rates.Cps);
        Assert.Equal(0, counters.Totals.Conns);
    }
}
