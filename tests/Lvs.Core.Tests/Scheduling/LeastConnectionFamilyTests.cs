using Lvs.Core.Scheduling;
using Lvs.Core.Services;
using static Lvs.Core.Tests.Scheduling.SchedulerTestHelpers;

namespace Lvs.Core.Tests.Scheduling;

/// <summary>
/// lc, wlc, sed, nq, fo, ovf: each case a server set ("weight:active:inactive", "!" = overloaded)
/// and the picks the kernel's loop makes when every pick becomes one more active connection.
/// </summary>
public class LeastConnectionFamilyTests
{
    [Theory]
    // overhead (a << 8) + i; equal overheads keep the first (strict <), weights ignored.
    [InlineData("1:0:0 1:0:0 1:0:0", "A B C A B C")]
    [InlineData("10:0:0 1:0:0", "A B A B")]
    // 256 < 300, then 300 < 512, then 512 < 556, ...: one active weighs 256 inactive.
    [InlineData("1:1:0 1:0:300", "A B A B")]
    // weight 0 and the overload flag take nothing.
    [InlineData("0:0:0 1:5:0! 1:9:0", "C C C")]
    [InlineData("0:0:0 1:0:0!", "- -")]
    public void Lc_Schedule_KernelSequence(string servers, string expected) =>
        Assert.Equal(expected, PicksEstablishing(new LeastConnectionScheduler(), Parse(servers), expected.Split(' ').Length));

    [Theory]
    // loh * dw > doh * lw: with 3:1, B is taken at 1:0, then each time A's load passes 3x B's.
    [InlineData("3:0:0 1:0:0", "A B A A A B A A A B")]
    [InlineData("4:0:0 4:0:0 3:0:0", "A B C A B C A B C A")]
    // inactive counts: 10 > 5 -> B, then 10 < 261 -> A, then 261 < 266 -> B.
    [InlineData("1:0:10 1:0:5", "B A B")]
    // 256/2 vs 128/1: equal per weight, 256*1 > 128*2 is false, so the first stays.
    [InlineData("2:1:0 1:0:128", "A")]
    // first usable (not overloaded, weight > 0) starts; B 1280/1 loses to C 1280/2.
    [InlineData("1:0:0! 1:5:0 2:5:0", "C")]
    // weight 0 later in the list: loh * 0 > doh * lw never holds.
    [InlineData("1:1:0 0:0:0", "A")]
    [InlineData("0:0:0 0:0:0", "-")]
    public void Wlc_Schedule_KernelSequence(string servers, string expected) =>
        Assert.Equal(expected, PicksEstablishing(new WeightedLeastConnectionScheduler(), Parse(servers), expected.Split(' ').Length));

    [Theory]
    // (a + 1) / w: B (1/1) does not beat A until A reaches 4/3 > 1/1.
    [InlineData("3:0:0 1:0:0", "A A A B A A A B")]
    // inactive connections do not count: 1/1 vs 1/1, the first stays (wlc would take B).
    [InlineData("1:0:100 1:0:0", "A")]
    [InlineData("1:0:0! 0:0:0 2:3:0", "C C")]
    public void Sed_Schedule_KernelSequence(string servers, string expected) =>
        Assert.Equal(expected, PicksEstablishing(new ShortestExpectedDelayScheduler(), Parse(servers), expected.Split(' ').Length));

    [Theory]
    // idle first (B, then C); then sed's rule: A (3/3) until 7/3 > 2/1.
    [InlineData("3:2:0 1:0:0 1:0:0", "B C A A A A B")]
    // an idle server wins whatever the weights.
    [InlineData("100:1:0 1:0:0", "B")]
    // an idle but overloaded server is skipped.
    [InlineData("1:0:0! 1:3:0 1:0:0", "C")]
    [InlineData("0:0:0 1:0:0!", "-")]
    public void Nq_Schedule_KernelSequence(string servers, string expected) =>
        Assert.Equal(expected, PicksEstablishing(new NeverQueueScheduler(), Parse(servers), expected.Split(' ').Length));

    [Theory]
    // highest weight; equal weights keep the first (strict >); load does not matter.
    [InlineData("1:0:0 3:0:0 3:0:0 2:0:0", "B B B")]
    [InlineData("1:0:0 3:0:0! 3:0:0 2:0:0", "C C C")]
    [InlineData("0:0:0 0:0:0", "-")]
    public void Fo_Schedule_KernelSequence(string servers, string expected) =>
        Assert.Equal(expected, PicksEstablishing(new WeightedFailoverScheduler(), Parse(servers), expected.Split(' ').Length));

    [Theory]
    // B (w3) until its active > 3 (so 4 picks), then A (w2) 3 picks, then C (w1) 2 picks, then none.
    [InlineData("2:0:0 3:0:0 1:0:0", "B B B B A A A C C -")]
    [InlineData("2:0:0 3:0:0! 0:0:0", "A A A -")]
    public void Ovf_Schedule_KernelSequence(string servers, string expected) =>
        Assert.Equal(expected, PicksEstablishing(new OverflowConnectionScheduler(), Parse(servers), expected.Split(' ').Length));

    [Fact]
    public void Schedule_NoDestinations_ReturnsNull()
    {
        IScheduler[] schedulers =
        [
            new LeastConnectionScheduler(), new WeightedLeastConnectionScheduler(), new ShortestExpectedDelayScheduler(),
            new NeverQueueScheduler(), new WeightedFailoverScheduler(), new OverflowConnectionScheduler(),
        ];
        foreach (IScheduler s in schedulers)
        {
            s.OnDestinationsChanged([]);
            Assert.Null(s.Schedule([], Context));
        }
    }

    [Fact]
    public void Wlc_HugeOverheads_CompareIn64Bits()
    {
        // B: 30,000 active = overhead 7,680,000, times A's weight 10,000 overflows 32 bits.
        RealServer[] servers = Parse("10000:2000000:0 1:30000:0");

        // 512e6 * 1 > 7.68e10? No: A stays (wrapped 32-bit products would pick B).
        Assert.Equal("A", Letter(new WeightedLeastConnectionScheduler().Schedule(servers, Context)));
    }

    [Fact]
    public void Wlc_NewArrayWeightOrLoadChange_SeenWithoutNotification()
    {
        var wlc = new WeightedLeastConnectionScheduler();
        RealServer[] servers = Parse("1:0:0 1:0:1");
        Assert.Equal("A", Letter(wlc.Schedule(servers, Context)));

        // Loads, weights and the overload flag are read live, not from a copy.
        SetLoad(servers[0], 0, 2);
        Assert.Equal("B", Letter(wlc.Schedule(servers, Context)));
        servers[1].Weight = 0;
        Assert.Equal("A", Letter(wlc.Schedule(servers, Context)));
        servers[0].Overloaded = true;
        Assert.Equal("-", Letter(wlc.Schedule(servers, Context)));

        // A different array is a different list, even without OnDestinationsChanged.
        RealServer[] others = Parse("1:5:0 1:0:0");
        Assert.Equal("B", Letter(wlc.Schedule(others, Context)));
        Assert.Equal("-", Letter(wlc.Schedule(servers, Context)));
    }
}
