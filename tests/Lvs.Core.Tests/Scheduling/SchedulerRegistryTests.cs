using Lvs.Core.Scheduling;

namespace Lvs.Core.Tests.Scheduling;

public class SchedulerRegistryTests
{
    [Fact]
    public void IpvsNames_EqualsIpvsadmList()
    {
        // ipvsadm(8), --scheduler: rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh|twos.
        string[] ipvsadm = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"];

        Assert.Equal(ipvsadm, SchedulerRegistry.IpvsNames);
    }

    [Fact]
    public void Names_EachRegisteredScheduler_IsAnIpvsNameAndCreatesItself()
    {
        Assert.Contains("rr", SchedulerRegistry.Names);
        Assert.Contains("wrr", SchedulerRegistry.Names);
        foreach (string name in SchedulerRegistry.Names)
        {
            Assert.Contains(name, SchedulerRegistry.IpvsNames);
            Assert.True(SchedulerRegistry.IsKnown(name));
            Assert.Equal(name, SchedulerRegistry.Create(name).Name);
        }
    }

    [Fact]
    public void Create_UnknownName_Throws()
    {
        Assert.False(SchedulerRegistry.IsKnown("RR"));
        Assert.Throws<ArgumentException>(() => SchedulerRegistry.Create("nope"));
    }
}
