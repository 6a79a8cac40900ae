using Lvs.Core.Scheduling;
using Lvs.Core.Services;
using static Lvs.Core.Tests.Scheduling.SchedulerTestHelpers;

namespace Lvs.Core.Tests.Scheduling;

public class RoundRobinSchedulerTests
{
    [Fact]
    public void Schedule_ThreeServers_CyclesInOrder()
    {
        var rr = new RoundRobinScheduler();
        RealServer[] servers = Servers(1, 1, 1);
        rr.OnDestinationsChanged(servers);

        Assert.Equal("A B C A B C A B C", Picks(rr, servers, 9));
    }

    [Fact]
    public void Schedule_DifferentWeights_IgnoresThem()
    {
        var rr = new RoundRobinScheduler();
        RealServer[] servers = Servers(5, 1, 100);
        rr.OnDestinationsChanged(servers);

        Assert.Equal("A B C A B C", Picks(rr, servers, 6));
    }

    [Fact]
    public void Schedule_WeightZeroAndOverloaded_Skipped()
    {
        var rr = new RoundRobinScheduler();
        RealServer[] servers = Servers(1, 0, 1, 1);
        servers[2].Overloaded = true;
        rr.OnDestinationsChanged(servers);

        Assert.Equal("A D A D", Picks(rr, servers, 4));

        servers[2].Overloaded = false;
        Assert.Equal("A C D A", Picks(rr, servers, 4));
    }

    [Fact]
    public void Schedule_NoneAvailable_ReturnsNull()
    {
        var rr = new RoundRobinScheduler();
        RealServer[] servers = Servers(0, 0);
        rr.OnDestinationsChanged(servers);

        Assert.Null(rr.Schedule(servers, Context));
        Assert.Null(rr.Schedule([], Context));
    }

    [Fact]
    public void OnDestinationsChanged_LastPickRemoved_ContinuesAfterItsPredecessor()
    {
        // ip_vs_rr_del_dest: the removed last pick hands its place to its predecessor, so the next pick is its successor.
        var rr = new RoundRobinScheduler();
        RealServer[] servers = Servers(1, 1, 1, 1);
        rr.OnDestinationsChanged(servers);
        Assert.Equal("A B", Picks(rr, servers, 2));

        RealServer[] withoutB = [servers[0], servers[2], servers[3]];
        rr.OnDestinationsChanged(withoutB);

        Assert.Equal("C D A", Picks(rr, withoutB, 3));
    }

    [Fact]
    public void OnDestinationsChanged_ServerAdded_KeepsPosition()
    {
        var rr = new RoundRobinScheduler();
        RealServer[] servers = Servers(1, 1, 1);
        rr.OnDestinationsChanged(servers[..2]);
        Assert.Equal("A B", Picks(rr, servers[..2], 2));

        rr.OnDestinationsChanged(servers);

        Assert.Equal("C A B", Picks(rr, servers, 3));
    }
}
