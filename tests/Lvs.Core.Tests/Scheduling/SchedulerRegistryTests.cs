using Lvs.Core.Scheduling;
using Lvs.Core.Services;

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
    public void Names_EqualsIpvsadmListExactly()
    {
        Assert.Equal(SchedulerRegistry.IpvsNames.Order(StringComparer.Ordinal), SchedulerRegistry.Names.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("sh")]
    [InlineData("mh")]
    public void Create_HashingSchedulers_TakeTheFlags(string name)
    {
        // 198.51.100.2:40000 lands on different servers with and without the port flag for both.
        RealServer[] servers = [.. Enumerable.Range(0, 3).Select(i => new RealServer(0x0A000001u + (uint)i, 80, ForwardMethod.Masquerade, i + 1, 1))];
        IScheduler plain = SchedulerRegistry.Create(name);
        IScheduler withPort = SchedulerRegistry.Create(name, SchedulerFlags.Port);
        plain.OnDestinationsChanged(servers);
        withPort.OnDestinationsChanged(servers);
        var ctx = new ScheduleContext(IpProtocol.Tcp, 0xC6336402, 40000, 0xC000020A, 80);

        Assert.NotSame(plain.Schedule(servers, ctx), withPort.Schedule(servers, ctx));
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
