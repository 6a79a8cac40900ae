using Lvs.Vrrp.Packets;

namespace Lvs.Vrrp.Tests;

public class VrrpStateMachineTests
{
    private static readonly byte[] Me = [198, 51, 100, 2];
    private static readonly byte[] Lower = [198, 51, 100, 1];
    private static readonly byte[] Higher = [198, 51, 100, 3];

    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    private static VrrpStateMachine Machine(byte priority, bool master = false, bool preempt = true, double preemptDelayMs = 0, VrrpVersion v = VrrpVersion.V3, int intervalCs = 100) =>
        new(v, intervalCs, priority, master, preempt, Ms(preemptDelayMs), Me);

    [Fact]
    public void Start_Priority255_MasterAtOnceWithAdvert()
    {
        VrrpStateMachine m = Machine(255);
        VrrpStep s = m.Start(TimeSpan.Zero);
        Assert.Equal(VrrpRole.Master, m.Role);
        Assert.True(s.SendAdvert);
        Assert.Equal(255, s.AdvertPriority);
    }

    [Fact]
    public void MasterDownInterval_V3Priority100_ThreeIntervalsPlusSkew()
    {
        VrrpStateMachine m = Machine(100);
        // Skew = (256-100)*100cs/256 = 60.9375 cs = 609.375 ms; down = 3000 + 609.375 ms.
        Assert.Equal(TimeSpan.FromMicroseconds(609_375), m.SkewTime);
        Assert.Equal(TimeSpan.FromMicroseconds(3_609_375), m.MasterDownInterval);
    }

    [Fact]
    public void MasterDownInterval_V2Priority200_SkewInSeconds()
    {
        VrrpStateMachine m = Machine(200, v: VrrpVersion.V2);
        Assert.Equal(TimeSpan.FromMicroseconds(56 * 1_000_000L / 256), m.SkewTime);
    }

    [Fact]
    public void Backup_NoAdverts_BecomesMasterAfterMasterDownInterval()
    {
        VrrpStateMachine m = Machine(100);
        m.Start(TimeSpan.Zero);
        Assert.Equal(VrrpRole.Backup, m.Role);
        Assert.Null(m.OnTimer(Ms(3609)).Transition);
        VrrpStep s = m.OnTimer(Ms(3610));
        Assert.Equal(VrrpRole.Master, m.Role);
        Assert.True(s.SendAdvert);
        Assert.Equal(new VrrpTransition(VrrpRole.Backup, VrrpRole.Master, "no advert within Master_Down_Interval"), s.Transition);
    }

    [Fact]
    public void Backup_HigherPriorityAdverts_StaysBackup()
    {
        VrrpStateMachine m = Machine(100);
        m.Start(TimeSpan.Zero);
        for (int t = 1000; t <= 20_000; t += 1000)
        {
            m.OnAdvert(Ms(t), 150, 100, Higher);
            m.OnTimer(Ms(t + 1));
        }

        Assert.Equal(VrrpRole.Backup, m.Role);
    }

    [Fact]
    public void Backup_LowerPriorityWithPreempt_TakesOver()
    {
        VrrpStateMachine m = Machine(150);
        m.Start(TimeSpan.Zero);
        for (int t = 1000; t <= 4000; t += 1000)
        {
            m.OnAdvert(Ms(t), 100, 100, Lower);
            m.OnTimer(Ms(t + 1));
        }

        Assert.Equal(VrrpRole.Master, m.Role);
    }

    [Fact]
    public void Backup_LowerPriorityWithNopreempt_StaysBackup()
    {
        VrrpStateMachine m = Machine(150, preempt: false);
        m.Start(TimeSpan.Zero);
        for (int t = 1000; t <= 20_000; t += 1000)
        {
            m.OnAdvert(Ms(t), 100, 100, Lower);
            m.OnTimer(Ms(t + 1));
        }

        Assert.Equal(VrrpRole.Backup, m.Role);
    }

    [Fact]
    public void Backup_PreemptHeld_DefersUntilReleasedThenTakesOver()
    {
        VrrpStateMachine m = Machine(150);
        m.PreemptHeld = true;
        m.Start(TimeSpan.Zero);
        for (int t = 1000; t <= 20_000; t += 1000)
        {
            m.OnAdvert(Ms(t), 100, 100, Lower);
            m.OnTimer(Ms(t + 1));
        }

        Assert.Equal(VrrpRole.Backup, m.Role);

        m.PreemptHeld = false;
        for (int t = 21_000; t <= 26_000; t += 1000)
        {
            m.OnAdvert(Ms(t), 100, 100, Lower);
            m.OnTimer(Ms(t + 1));
        }

        Assert.Equal(VrrpRole.Master, m.Role);
    }

    [Fact]
    public void Backup_PreemptHeldMasterSilent_StillTakesOver()
    {
        VrrpStateMachine m = Machine(150);
        m.PreemptHeld = true;
        m.Start(TimeSpan.Zero);
        m.OnAdvert(Ms(1000), 100, 100, Lower);
        m.OnTimer(Ms(1000 + 3500));
        Assert.Equal(VrrpRole.Master, m.Role);
    }

    [Fact]
    public void Backup_PreemptDelay_WaitsThenTakesOver()
    {
        VrrpStateMachine m = Machine(150, preemptDelayMs: 10_000);
        m.Start(TimeSpan.Zero);
        int tookOver = -1;
        for (int t = 1000; t <= 30_000 && tookOver < 0; t += 1000)
        {
            m.OnAdvert(Ms(t), 100, 100, Lower);
            if (m.OnTimer(Ms(t + 1)).Transition is { New: VrrpRole.Master })
            {
                tookOver = t;
            }

            if (m.Role == VrrpRole.Master)
            {
                tookOver = t;
            }
        }

        // Lower master first seen at 1 s; preemption allowed from 11 s; the down timer (3.4 s) runs out after that.
        Assert.InRange(tookOver, 11_000, 15_000);
    }

    [Fact]
    public void Master_HigherPriorityAdvert_BecomesBackup()
    {
        VrrpStateMachine m = Machine(100, master: true);
        m.Start(TimeSpan.Zero);
        Assert.Equal(VrrpRole.Master, m.Role);
        VrrpStep s = m.OnAdvert(Ms(500), 101, 100, Lower);
        Assert.Equal(VrrpRole.Backup, m.Role);
        Assert.False(s.SendAdvert);
    }

    [Fact]
    public void Master_EqualPriority_HigherAddressWins()
    {
        VrrpStateMachine a = Machine(100, master: true);
        a.Start(TimeSpan.Zero);
        a.OnAdvert(Ms(10), 100, 100, Lower);
        Assert.Equal(VrrpRole.Master, a.Role);
        a.OnAdvert(Ms(20), 100, 100, Higher);
        Assert.Equal(VrrpRole.Backup, a.Role);
    }

    [Fact]
    public void Master_LowerPriorityAdvert_AnswersAndStays()
    {
        VrrpStateMachine m = Machine(200, master: true);
        m.Start(TimeSpan.Zero);
        VrrpStep s = m.OnAdvert(Ms(10), 100, 100, Higher);
        Assert.Equal(VrrpRole.Master, m.Role);
        Assert.True(s.SendAdvert);
    }

    [Fact]
    public void Master_AdverTimer_SendsEveryInterval()
    {
        VrrpStateMachine m = Machine(100, master: true, intervalCs: 10);
        m.Start(TimeSpan.Zero);
        int sent = 0;
        for (int t = 1; t <= 1000; t++)
        {
            if (m.OnTimer(Ms(t)).SendAdvert)
            {
                sent++;
            }
        }

        Assert.Equal(10, sent);
    }

    [Fact]
    public void Backup_PriorityZero_TakesOverAfterSkewTime()
    {
        VrrpStateMachine m = Machine(100);
        m.Start(TimeSpan.Zero);
        m.OnAdvert(Ms(1000), 200, 100, Higher);
        m.OnAdvert(Ms(1500), 0, 100, Higher);
        Assert.Equal(VrrpRole.Backup, m.Role);
        Assert.Equal(VrrpRole.Backup, m.OnTimer(Ms(1500 + 609)).Transition?.New ?? m.Role);
        Assert.Equal(VrrpRole.Master, m.OnTimer(Ms(1500 + 610)).Transition?.New);
    }

    [Fact]
    public void Shutdown_Master_SendsPriorityZero()
    {
        VrrpStateMachine m = Machine(255);
        m.Start(TimeSpan.Zero);
        VrrpStep s = m.Shutdown(Ms(5));
        Assert.True(s.SendAdvert);
        Assert.Equal(0, s.AdvertPriority);
        Assert.Equal(VrrpRole.Stopped, m.Role);
        Assert.Null(m.NextDeadline);
    }

    [Fact]
    public void V3Backup_LearnsMasterInterval()
    {
        VrrpStateMachine m = Machine(100, intervalCs: 100);
        m.Start(TimeSpan.Zero);
        m.OnAdvert(Ms(100), 200, 10, Higher);
        Assert.Equal(10, m.MasterAdverIntervalCentiseconds);
        Assert.Equal(VrrpRole.Master, m.OnTimer(Ms(100 + 300 + 61)).Transition?.New);
    }

    [Fact]
    public void SetFault_Master_PriorityZeroAndFault_ThenBackOnClear()
    {
        VrrpStateMachine m = Machine(100, master: true);
        m.Start(TimeSpan.Zero);
        VrrpStep s = m.SetFault(Ms(10), true, "link down");
        Assert.Equal(VrrpRole.Fault, m.Role);
        Assert.True(s.SendAdvert);
        Assert.Equal(0, s.AdvertPriority);
        Assert.Null(m.OnTimer(Ms(100_000)).Transition);
        VrrpStep back = m.SetFault(Ms(100_001), false, "link up");
        Assert.Equal(VrrpRole.Fault, back.Transition?.Old);
        Assert.Equal(VrrpRole.Master, m.Role);
    }

    [Fact]
    public void SetPriority_TrackingWeights_ClampedAndAdvertisedByMaster()
    {
        VrrpStateMachine m = Machine(100, master: true);
        m.Start(TimeSpan.Zero);
        VrrpStep s = m.SetPriority(Ms(10), 100 - 150);
        Assert.Equal(1, m.Priority);
        Assert.True(s.SendAdvert);
        Assert.Equal(1, s.AdvertPriority);
        m.SetPriority(Ms(20), 400);
        Assert.Equal(254, m.Priority);
    }

    [Fact]
    public void Force_SyncGroupMember_FollowsAndStopsAdvertising()
    {
        VrrpStateMachine m = Machine(100, master: true);
        m.Start(TimeSpan.Zero);
        VrrpStep s = m.Force(Ms(10), VrrpRole.Backup, "group");
        Assert.Equal(VrrpRole.Backup, m.Role);
        Assert.Equal("group", s.Transition?.Reason);
        Assert.Equal(VrrpRole.Master, m.Force(Ms(20), VrrpRole.Master, "group").Transition?.New);
        Assert.Equal(VrrpRole.Fault, m.Force(Ms(30), VrrpRole.Fault, "group").Transition?.New);
    }

    [Fact]
    public void Election_TwoMachines_HigherPriorityEndsMaster()
    {
        var a = new VrrpStateMachine(VrrpVersion.V3, 10, 100, true, true, TimeSpan.Zero, Higher);
        var b = new VrrpStateMachine(VrrpVersion.V3, 10, 200, false, true, TimeSpan.Zero, Lower);
        var pending = new List<(VrrpStateMachine To, byte Priority, byte[] From)>();
        void Run(VrrpStateMachine from, VrrpStep step, byte[] addr, VrrpStateMachine to)
        {
            if (step.SendAdvert)
            {
                pending.Add((to, step.AdvertPriority, addr));
            }
        }

        Run(a, a.Start(TimeSpan.Zero), Higher, b);
        Run(b, b.Start(TimeSpan.Zero), Lower, a);
        for (int t = 1; t < 5000; t++)
        {
            var now = Ms(t);
            foreach (var p in pending.ToArray())
            {
                pending.Remove(p);
                Run(p.To, p.To.OnAdvert(now, p.Priority, 10, p.From), p.To == a ? Higher : Lower, p.To == a ? b : a);
            }

            Run(a, a.OnTimer(now), Higher, b);
            Run(b, b.OnTimer(now), Lower, a);
        }

        Assert.Equal(VrrpRole.Backup, a.Role);
        Assert.Equal(VrrpRole.Master, b.Role);
    }
}
