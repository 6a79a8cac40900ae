using Lvs.Daemon.Web;

namespace Lvs.Daemon.Tests.Web;

public class EventRingTests
{
    [Fact]
    public void Recent_FewerThanCapacity_AllOldestFirst()
    {
        var ring = new EventRing(4, TimeProvider.System);
        ring.Add(EventKinds.Start, "a");
        ring.Add(EventKinds.Config, "b");
        IReadOnlyList<DaemonEvent> recent = ring.Recent(10);
        Assert.Equal(["a", "b"], recent.Select(e => e.Message));
        Assert.Equal([1L, 2L], recent.Select(e => e.Seq));
    }

    [Fact]
    public void Add_PastCapacity_OldestDropped()
    {
        var ring = new EventRing(3, TimeProvider.System);
        for (int i = 1; i <= 10; i++)
        {
            ring.Add(EventKinds.Config, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        Assert.Equal(["8", "9", "10"], ring.Recent(100).Select(e => e.Message));
        Assert.Equal(["10"], ring.Recent(1).Select(e => e.Message));
        Assert.Equal(10, ring.Recent(1)[0].Seq);
    }

    [Fact]
    public void Add_ManyThreads_EverySeqOnce()
    {
        var ring = new EventRing(10_000, TimeProvider.System);
        Parallel.For(0, 4000, i => ring.Add(EventKinds.Config, "x"));
        Assert.Equal(Enumerable.Range(1, 4000).Select(i => (long)i), ring.Recent(10_000).Select(e => e.Seq));
    }

    [Fact]
    public void Constructor_ZeroCapacity_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new EventRing(0, TimeProvider.System));
}
