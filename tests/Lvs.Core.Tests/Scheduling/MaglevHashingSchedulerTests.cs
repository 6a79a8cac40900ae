using Lvs.Core.Scheduling;
using Lvs.Core.Services;
using static Lvs.Core.Tests.Scheduling.SchedulerTestHelpers;

namespace Lvs.Core.Tests.Scheduling;

/// <summary>
/// mh. The expected lookups were worked out with an independent transcription of ip_vs_mh.c's
/// permutation and population (and of lib/siphash.c, checked against its test vectors) for
/// servers 10.0.0.1.. port 80 and clients 198.51.100.1..12.
/// </summary>
public class MaglevHashingSchedulerTests
{
    [Theory]
    [InlineData(new[] { 1, 1, 1 }, new[] { 1365, 1364, 1364 }, "CCAAACACAACC")]
    [InlineData(new[] { 1, 2, 3 }, new[] { 683, 1364, 2046 }, "CCBACCACCCCC")]
    [InlineData(new[] { 4, 1 }, new[] { 3275, 818 }, "BAAAAAAAAAAB")]
    public void Schedule_KernelTable_SharesAndLookups(int[] weights, int[] shares, string expected)
    {
        var mh = new MaglevHashingScheduler();
        RealServer[] s = Servers(weights);
        mh.OnDestinationsChanged(s);

        int[] counts = new int[s.Length];
        for (int i = 0; i < MaglevHashingScheduler.TableSize; i++)
        {
            counts[Array.IndexOf(s, mh.Slot(i))]++;
        }

        Assert.Equal(shares, counts);
        string picks = string.Concat(Enumerable.Range(1, 12).Select(k => Letter(mh.Schedule(s, Context with { ClientAddress = 0xC6336400u + (uint)k }))));
        Assert.Equal(expected, picks);
    }

    [Fact]
    public void Schedule_PortFlag_HashesSourcePort()
    {
        RealServer[] s = Servers(1, 2, 3);
        var mh = new MaglevHashingScheduler(SchedulerFlags.Port);
        mh.OnDestinationsChanged(s);

        // 198.51.100.2 alone -> C (above); with port 40000 -> A.
        Assert.Equal("A", Letter(mh.Schedule(s, Context)));
        Assert.Equal("C", Letter(mh.Schedule(s, Context with { ClientPort = 0 })));
    }

    [Fact]
    public void WeightSetToZero_KeepsSlots_NoFallbackGivesNothing_FallbackMovesOnlyItsClients()
    {
        RealServer[] s = Servers(1, 1, 1);
        var plain = new MaglevHashingScheduler();
        var fallback = new MaglevHashingScheduler(SchedulerFlags.Fallback);
        plain.OnDestinationsChanged(s);
        fallback.OnDestinationsChanged(s);
        RealServer?[] before = [.. Clients().Select(c => plain.Schedule(s, Context with { ClientAddress = c }))];

        // last_weight keeps the old weight: the table stays, only A's clients are affected.
        s[0].Weight = 0;
        plain.OnDestinationsChanged(s);
        fallback.OnDestinationsChanged(s);
        uint[] clients = Clients();
        for (int i = 0; i < clients.Length; i++)
        {
            RealServer? p = plain.Schedule(s, Context with { ClientAddress = clients[i] });
            RealServer? f = fallback.Schedule(s, Context with { ClientAddress = clients[i] });
            if (before[i] == s[0])
            {
                Assert.Null(p);
                Assert.NotNull(f);
                Assert.NotSame(s[0], f);
            }
            else
            {
                Assert.Same(before[i], p);
                Assert.Same(before[i], f);
            }
        }
    }

    [Fact]
    public void AddedWithWeightZero_TakesNoSlots()
    {
        RealServer[] s = Servers(1, 0, 1);
        var mh = new MaglevHashingScheduler();
        mh.OnDestinationsChanged(s);

        Assert.DoesNotContain(Enumerable.Range(0, MaglevHashingScheduler.TableSize), i => mh.Slot(i) == s[1]);
    }

    [Fact]
    public void AllWeightsZero_EmptyTable_ReturnsNull()
    {
        RealServer[] s = Servers(0, 0);
        var mh = new MaglevHashingScheduler(SchedulerFlags.Fallback);
        mh.OnDestinationsChanged(s);

        Assert.Null(mh.Schedule(s, Context));
        mh.OnDestinationsChanged([]);
        Assert.Null(mh.Schedule([], Context));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(10)]
    [InlineData(20)]
    public void RemoveOneOfN_MovesAboutOneNthOfFlows(int n)
    {
        RealServer[] s = Servers([.. Enumerable.Repeat(1, n)]);
        var mh = new MaglevHashingScheduler();
        mh.OnDestinationsChanged(s);
        uint[] flows = [.. Enumerable.Range(0, 10_000).Select(i => 0x64000000u + (uint)(i * 2654435761u >> 4))];
        RealServer?[] before = [.. flows.Select(c => mh.Schedule(s, Context with { ClientAddress = c }))];

        RealServer[] after = [.. s.Where((_, i) => i != n / 2)];
        mh.OnDestinationsChanged(after);
        int moved = 0;
        for (int i = 0; i < flows.Length; i++)
        {
            RealServer? now = mh.Schedule(after, Context with { ClientAddress = flows[i] });
            Assert.NotNull(now);
            if (now != before[i])
            {
                moved++;
            }
        }

        // The removed server's flows (about 1/N) must move; Maglev moves few others.
        Assert.True(moved <= (10_000 / n) + 300, $"moved {moved} of 10000 flows removing 1 of {n}");
    }

    private static uint[] Clients() => [.. Enumerable.Range(0, 2000).Select(i => 0xC6000000u + (uint)(i * 40503))];
}
