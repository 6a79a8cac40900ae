using Lvs.Core.Scheduling;
using Lvs.Core.Services;
using static Lvs.Core.Tests.Scheduling.SchedulerTestHelpers;

namespace Lvs.Core.Tests.Scheduling;

public class TwoRandomChoicesSchedulerTests
{
    [Theory]
    // weights 1,2,3: total 6, draws in [0, 6]. A point p lands on the first server where
    // p - (running weight sum) <= 0: 0,1 -> A; 2,3 -> B; 4,5,6 -> C.
    [InlineData("1:0:0 2:0:0 3:0:0", 0, 4, "A")] // equal (zero) load: choice 1 stays
    [InlineData("1:1:0 2:0:0 3:0:0", 0, 4, "C")] // 3 * 256 > 1 * 0: choice 2
    [InlineData("1:0:0 2:0:0 3:0:0", 3, 6, "B")]
    [InlineData("1:0:0 2:0:0 3:1:0", 1, 6, "A")] // choice 2 (C) is busier
    // equal per weight: 2 * 256 > 1 * 512 is false, choice 1 stays.
    [InlineData("1:1:0 2:2:0", 1, 3, "A")]
    // overloaded and weight 0 are left out of both the total and the walk: total 2, [0, 2].
    [InlineData("5:0:0! 0:0:0 2:0:0", 2, 0, "C")]
    public void Schedule_ScriptedDraws_KernelChoice(string servers, long r1, long r2, string expected)
    {
        RealServer[] s = Parse(servers);
        long total = s.Where(d => !d.Overloaded && d.Weight > 0).Sum(d => (long)d.Weight);
        var random = new ScriptedRandom(r1, r2);
        var twos = new TwoRandomChoicesScheduler(random);

        Assert.Equal(expected, Letter(twos.Schedule(s, Context)));
        Assert.Equal([total + 1, total + 1], random.Bounds);
    }

    [Fact]
    public void Schedule_NoneUsable_ReturnsNullWithoutDrawing()
    {
        var random = new ScriptedRandom();
        var twos = new TwoRandomChoicesScheduler(random);

        Assert.Null(twos.Schedule(Parse("0:0:0 1:0:0!"), Context));
        Assert.Empty(random.Bounds);
    }

    private sealed class ScriptedRandom(params long[] values) : Random
    {
        private int _next;

        public List<long> Bounds { get; } = [];

        public override long NextInt64(long maxValue)
        {
            Bounds.Add(maxValue);
            return values[_next++];
        }
    }
}
