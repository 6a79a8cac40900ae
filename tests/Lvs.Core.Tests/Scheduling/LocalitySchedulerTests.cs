using Lvs.Core.Scheduling;
using Lvs.Core.Services;
using static Lvs.Core.Tests.Scheduling.SchedulerTestHelpers;

namespace Lvs.Core.Tests.Scheduling;

/// <summary>
/// lblc and lblcr. Times are ms; the first call starts the 60 s timer, every 30th tick is a full
/// check (so at 30 min, 60 min, ...) dropping entries unused for 24 h (the sysctl default).
/// </summary>
public class LocalitySchedulerTests
{
    private const long Day = 86_400_000;

    private static ScheduleContext At(long now, uint vip = 0xC000020A) => Context with { Now = now, VirtualAddress = vip };

    [Fact]
    public void Lblc_CachedServer_KeptWhileNotOverloadedInLblcSense()
    {
        var lblc = new LocalityBasedLeastConnectionScheduler();
        RealServer[] s = Parse("1:0:0 1:0:0");
        Assert.Equal("A", Letter(lblc.Schedule(s, At(0))));

        // wlc would now take B; lblc keeps A: 1 active is not more than weight 1.
        SetLoad(s[0], 1, 0);
        Assert.Equal("A", Letter(lblc.Schedule(s, At(1))));

        // 2 > 1 but no server has active * 2 < weight to go to: still A.
        SetLoad(s[0], 2, 0);
        SetLoad(s[1], 1, 0);
        Assert.Equal("A", Letter(lblc.Schedule(s, At(2))));

        // B idle: A is overloaded, wlc picks B, and B is cached from now on.
        SetLoad(s[1], 0, 0);
        Assert.Equal("B", Letter(lblc.Schedule(s, At(3))));
        SetLoad(s[0], 0, 0);
        SetLoad(s[1], 1, 0);
        Assert.Equal("B", Letter(lblc.Schedule(s, At(4))));
        Assert.Equal(1, lblc.CachedEntries);
    }

    [Fact]
    public void Lblc_CachedServerWeightZero_Rescheduled_OverloadFlagNotConsultedAsKernel()
    {
        var lblc = new LocalityBasedLeastConnectionScheduler();
        RealServer[] s = Parse("1:0:0 1:0:0");
        Assert.Equal("A", Letter(lblc.Schedule(s, At(0))));

        // ip_vs_lblc_schedule checks availability, weight and its own is_overloaded, not the flag.
        s[0].Overloaded = true;
        Assert.Equal("A", Letter(lblc.Schedule(s, At(1))));

        s[0].Overloaded = false;
        s[0].Weight = 0;
        Assert.Equal("B", Letter(lblc.Schedule(s, At(2))));
    }

    [Fact]
    public void Lblc_Replacement_CountsLikeTheKernel()
    {
        // ip_vs_lblc_new deletes the old entry without decrementing tbl->entries.
        var lblc = new LocalityBasedLeastConnectionScheduler();
        RealServer[] s = Parse("1:0:0 1:0:0");
        lblc.Schedule(s, At(0));
        s[0].Weight = 0;
        Assert.Equal("B", Letter(lblc.Schedule(s, At(1))));

        Assert.Equal(1, lblc.Cache.Count);
        Assert.Equal(2, lblc.Cache.Entries);
    }

    [Theory]
    [InlineData(Day - 1, "A")] // last full check at 23.5 h: kept
    [InlineData(Day, "B")]     // full check at exactly 24 h: now >= lastuse + 24 h, dropped
    public void Lblc_Entry_ExpiresAtTheFullCheckAfterADay(long now, string expected)
    {
        var lblc = new LocalityBasedLeastConnectionScheduler();
        RealServer[] s = Parse("1:0:0 1:0:0");
        Assert.Equal("A", Letter(lblc.Schedule(s, At(0))));
        SetLoad(s[0], 1, 0); // a fresh pick would be B

        Assert.Equal(expected, Letter(lblc.Schedule(s, At(now))));
    }

    [Fact]
    public void Lblc_LazyExpiry_SameAsTickingEveryMinute()
    {
        RealServer[] s = Parse("1:0:0 1:0:0");
        var jump = new LocalityBasedLeastConnectionScheduler();
        var step = new LocalityBasedLeastConnectionScheduler();
        const uint Probe = 0xC0000001;
        foreach (var lblc in new[] { jump, step })
        {
            lblc.Schedule(s, At(0, Probe));
            for (int i = 0; i < 50; i++)
            {
                lblc.Schedule(s, At(i * 1_800_000L + 7, 0xC0000100u + (uint)i));
            }
        }

        long end = 2 * Day + 123;
        for (long t = 50 * 1_800_000L; t < end; t += 60_000)
        {
            step.Schedule(s, At(t, Probe));
        }

        step.Schedule(s, At(end, Probe));
        jump.Schedule(s, At(end, Probe));

        for (int i = 0; i < 50; i++)
        {
            uint vip = 0xC0000100u + (uint)i;
            Assert.Equal(step.Cache.Find(vip) >= 0, jump.Cache.Find(vip) >= 0);
        }

        Assert.Equal(step.Cache.Count, jump.Cache.Count);
        Assert.InRange(jump.Cache.Count, 2, 49); // some expired, some not
    }

    [Fact]
    public void Lblc_ServerRemoved_ItsEntriesCleaned()
    {
        var lblc = new LocalityBasedLeastConnectionScheduler();
        RealServer[] s = Parse("1:0:0 1:0:0");
        lblc.Schedule(s, At(0, 1));
        SetLoad(s[0], 1, 0);
        lblc.Schedule(s, At(0, 2)); // -> B
        Assert.Equal(2, lblc.CachedEntries);

        lblc.OnDestinationsChanged([s[1]]);

        Assert.Equal(1, lblc.CachedEntries);
        Assert.Equal("B", Letter(lblc.Schedule([s[1]], At(1, 1))));
    }

    [Fact]
    public void Lblcr_Overloaded_ReplicaSetGrows()
    {
        var lblcr = new LocalityBasedLeastConnectionReplicationScheduler();
        RealServer[] s = Parse("1:0:0 1:0:0 1:0:0");
        Assert.Equal("A", Letter(lblcr.Schedule(s, At(0))));

        // A: 2 > 1 with idle servers around -> wlc picks B, added at the head of the set.
        SetLoad(s[0], 2, 0);
        Assert.Equal("B", Letter(lblcr.Schedule(s, At(1000))));
        Assert.Equal("B A", string.Join(' ', lblcr.ReplicaSet(0xC000020A).Select(Letter)));

        // The set's least loaded member is used: B (0) over A (512).
        Assert.Equal("B", Letter(lblcr.Schedule(s, At(1000))));

        SetLoad(s[1], 2, 0);
        Assert.Equal("C", Letter(lblcr.Schedule(s, At(1000))));
        Assert.Equal("C B A", string.Join(' ', lblcr.ReplicaSet(0xC000020A).Select(Letter)));
    }

    [Fact]
    public void Lblcr_SetUnchangedForExpiration_MostLoadedDropped()
    {
        var lblcr = new LocalityBasedLeastConnectionReplicationScheduler();
        RealServer[] s = Parse("1:0:0 1:0:0 1:0:0");
        lblcr.Schedule(s, At(0));
        SetLoad(s[0], 2, 0);
        lblcr.Schedule(s, At(1000));
        SetLoad(s[1], 2, 0);
        lblcr.Schedule(s, At(1000)); // set C B A, lastmod 1000

        foreach (RealServer d in s)
        {
            d.Weight = 10;
        }

        SetLoad(s[0], 5, 0);
        SetLoad(s[1], 1, 0);
        SetLoad(s[2], 0, 0);

        // time_after(now, lastmod + expiration): not yet at exactly a day later.
        Assert.Equal("C", Letter(lblcr.Schedule(s, At(1000 + Day))));
        Assert.Equal(3, lblcr.ReplicaSet(0xC000020A).Length);

        Assert.Equal("C", Letter(lblcr.Schedule(s, At(1001 + Day))));
        Assert.Equal("C B", string.Join(' ', lblcr.ReplicaSet(0xC000020A).Select(Letter)));
    }

    [Fact]
    public void Lblcr_Entry_ExpiresAndServerRemovalCleansSets()
    {
        var lblcr = new LocalityBasedLeastConnectionReplicationScheduler();
        RealServer[] s = Parse("1:0:0 1:0:0");
        lblcr.Schedule(s, At(0));
        SetLoad(s[0], 2, 0);
        lblcr.Schedule(s, At(0)); // set B A
        RealServer[] onlyA = [s[0]];
        lblcr.OnDestinationsChanged(onlyA);
        Assert.Equal("A", string.Join(' ', lblcr.ReplicaSet(0xC000020A).Select(Letter)));

        // Address 7 last used at 12 h survives the full check at 24 h; the first entry (0 h) does not.
        lblcr.Schedule(onlyA, At(Day / 2, 7));
        lblcr.Schedule(onlyA, At(Day, 7));
        Assert.Empty(lblcr.ReplicaSet(0xC000020A));
        Assert.Equal(1, lblcr.Cache.Count);
        Assert.Single(lblcr.ReplicaSet(7));
    }
}
