using Lvs.Core.Scheduling;
using Lvs.Core.Services;
using static Lvs.Core.Tests.Scheduling.SchedulerTestHelpers;

namespace Lvs.Core.Tests.Scheduling;

public class WeightedRoundRobinSchedulerTests
{
    [Fact]
    public void Schedule_Weights443_KernelSequenceEveryCycle()
    {
        var wrr = new WeightedRoundRobinScheduler();
        RealServer[] servers = Servers(4, 4, 3);
        wrr.OnDestinationsChanged(servers);

        for (int cycle = 0; cycle < 5; cycle++)
        {
            Assert.Equal("A B A B C A B C A B C", Picks(wrr, servers, 11));
        }
    }

    [Fact]
    public void Schedule_Weights31_Proportional()
    {
        var wrr = new WeightedRoundRobinScheduler();
        RealServer[] servers = Servers(3, 1);
        wrr.OnDestinationsChanged(servers);

        string picks = Picks(wrr, servers, 32);

        Assert.Equal(24, picks.Count(c => c == 'A'));
        Assert.Equal(8, picks.Count(c => c == 'B'));
        Assert.StartsWith("A A A B A A A B", picks);
    }

    [Fact]
    public void Schedule_CommonDivisor_StepsByGcd()
    {
        // gcd 2: mw = 6 - 1 = 5, cw 5, 3, 1 -> A, A B, A B: same as weights 3:2.
        var wrr = new WeightedRoundRobinScheduler();
        RealServer[] servers = Servers(6, 4);
        wrr.OnDestinationsChanged(servers);

        Assert.Equal("A A B A B A A B A B", Picks(wrr, servers, 10));
    }

    [Fact]
    public void Schedule_AllWeightsZero_ReturnsNull()
    {
        var wrr = new WeightedRoundRobinScheduler();
        RealServer[] servers = Servers(0, 0, 0);
        wrr.OnDestinationsChanged(servers);

        Assert.Equal("- - -", Picks(wrr, servers, 3));
    }

    [Fact]
    public void Schedule_NoDestinations_ReturnsNull()
    {
        var wrr = new WeightedRoundRobinScheduler();
        wrr.OnDestinationsChanged([]);
        Assert.Null(wrr.Schedule([], Context));
    }

    [Fact]
    public void Schedule_OverloadedAndZeroWeight_Skipped()
    {
        var wrr = new WeightedRoundRobinScheduler();
        RealServer[] servers = Servers(2, 0, 1);
        wrr.OnDestinationsChanged(servers);
        Assert.Equal("A A C A A C", Picks(wrr, servers, 6));

        servers[0].Overloaded = true;
        Assert.Equal("C C C", Picks(wrr, servers, 3));

        servers[2].Overloaded = true;
        Assert.Equal("- -", Picks(wrr, servers, 2));
    }

    [Fact]
    public void OnDestinationsChanged_NewGcdLowersCurrentWeight_RestartsFromHead()
    {
        // ip_vs_wrr_dest_changed: cl = head; di = gcd(4,4,4) = 4; mw = 4 - 3 = 1; cw 4 > mw -> cw = 1.
        var wrr = new WeightedRoundRobinScheduler();
        RealServer[] servers = Servers(4, 4, 3);
        wrr.OnDestinationsChanged(servers);
        Assert.Equal("A", Picks(wrr, servers, 1));

        servers[2].Weight = 4;
        wrr.OnDestinationsChanged(servers);

        Assert.Equal("A B C A B C", Picks(wrr, servers, 6));
    }

    [Fact]
    public void OnDestinationsChanged_MidCycleWithGcdTwo_RoundsCurrentWeightUp()
    {
        // After A B A B C A, cw = 2. C -> 2: di = 2, mw = 3, cw = 2 / 2 * 2 + 1 = 3, cl = head;
        // then cw 3: A B, cw 1: A B C, back to 3: the 2:2:1 cycle.
        var wrr = new WeightedRoundRobinScheduler();
        RealServer[] servers = Servers(4, 4, 3);
        wrr.OnDestinationsChanged(servers);
        Assert.Equal("A B A B C A", Picks(wrr, servers, 6));

        servers[2].Weight = 2;
        wrr.OnDestinationsChanged(servers);

        Assert.Equal("A B A B C A B A B C", Picks(wrr, servers, 10));
    }

    [Fact]
    public void OnDestinationsChanged_WeightLowered_KeepsCurrentWeightAndRestartsAtHead()
    {
        // After A B (cw 4, cl = B), B -> 1: di 1, mw 4, cw stays 4, cl = head: A first again.
        var wrr = new WeightedRoundRobinScheduler();
        RealServer[] servers = Servers(4, 4, 3);
        wrr.OnDestinationsChanged(servers);
        Assert.Equal("A B", Picks(wrr, servers, 2));

        servers[1].Weight = 1;
        wrr.OnDestinationsChanged(servers);

        Assert.Equal("A A C A C A B C A A C A C A B C", Picks(wrr, servers, 16));
    }
}
