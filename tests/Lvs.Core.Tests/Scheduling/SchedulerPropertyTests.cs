using Lvs.Core.Scheduling;
using Lvs.Core.Services;
using static Lvs.Core.Tests.Scheduling.SchedulerTestHelpers;

namespace Lvs.Core.Tests.Scheduling;

/// <summary>Properties every scheduler keeps, over random server sets (fixed seeds).</summary>
public class SchedulerPropertyTests
{
    public static TheoryData<string, SchedulerFlags> AllSchedulers()
    {
        var data = new TheoryData<string, SchedulerFlags>();
        foreach (string name in SchedulerRegistry.IpvsNames)
        {
            data.Add(name, SchedulerFlags.None);
        }

        data.Add("sh", SchedulerFlags.Fallback | SchedulerFlags.Port);
        data.Add("mh", SchedulerFlags.Fallback | SchedulerFlags.Port);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllSchedulers))]
    public void Schedule_RandomServerSets_NeverWeightZeroOrOverloaded(string name, SchedulerFlags flags)
    {
        var random = new Random(4242);
        for (int round = 0; round < 60; round++)
        {
            IScheduler scheduler = SchedulerRegistry.Create(name, flags);
            RealServer[] servers = RandomServers(random);
            scheduler.OnDestinationsChanged(servers);
            bool anyUsable = servers.Any(d => d.Weight > 0 && !d.Overloaded);
            for (int i = 0; i < 50; i++)
            {
                var ctx = new ScheduleContext(IpProtocol.Tcp, (uint)random.Next(), (ushort)random.Next(1024, 65535), 0xC0000200u + (uint)random.Next(4), 80, i * 1000L);
                RealServer? d = scheduler.Schedule(servers, ctx);
                if (d is null)
                {
                    continue;
                }

                Assert.Contains(d, servers);
                Assert.True(d.Weight > 0, $"{name}: picked weight 0 server {d}");
                Assert.False(d.Overloaded, $"{name}: picked overloaded server {d}");
            }

            if (!anyUsable)
            {
                Assert.Null(scheduler.Schedule(servers, Context));
            }
        }
    }

    [Theory]
    [MemberData(nameof(AllSchedulers))]
    public void Schedule_SteadyState_AllocatesNothing(string name, SchedulerFlags flags)
    {
        IScheduler scheduler = SchedulerRegistry.Create(name, flags);
        RealServer[] servers = Parse("3:1:4 2:0:9 5:2:1 1:0:0 4:3:3");
        scheduler.OnDestinationsChanged(servers);
        RunBatch(scheduler, servers, 0); // warm up: JIT, tables, cache entries for the addresses used

        long before = GC.GetAllocatedBytesForCurrentThread();
        RunBatch(scheduler, servers, 1);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Theory]
    [InlineData(new[] { 4, 4, 3 })]
    [InlineData(new[] { 5, 1, 2, 7 })]
    [InlineData(new[] { 6, 4 })]
    [InlineData(new[] { 1, 1, 1, 1, 1 })]
    [InlineData(new[] { 10, 0, 3 })]
    [InlineData(new[] { 100, 37, 64 })]
    public void Wrr_EveryCycle_ExactlyProportional(int[] weights)
    {
        var wrr = new WeightedRoundRobinScheduler();
        RealServer[] servers = Servers(weights);
        wrr.OnDestinationsChanged(servers);
        int g = weights.Where(w => w > 0).Aggregate(Gcd);
        int cycle = weights.Sum() / g;

        for (int c = 0; c < 5; c++)
        {
            var counts = new int[weights.Length];
            for (int i = 0; i < cycle; i++)
            {
                RealServer d = wrr.Schedule(servers, Context)!;
                counts[Array.IndexOf(servers, d)]++;
            }

            Assert.Equal(weights.Select(w => w / g), counts);
        }
    }

    [Theory]
    [InlineData("dh")]
    [InlineData("sh")]
    [InlineData("mh")]
    public void HashingSchedulers_SameClient_SamePickEveryTime(string name)
    {
        IScheduler scheduler = SchedulerRegistry.Create(name);
        RealServer[] servers = Servers(2, 3, 1, 4);
        scheduler.OnDestinationsChanged(servers);
        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            var ctx = new ScheduleContext(IpProtocol.Tcp, (uint)random.Next(), (ushort)random.Next(), (uint)random.Next(), 80);
            RealServer? first = scheduler.Schedule(servers, ctx);
            Assert.NotNull(first);
            for (int k = 0; k < 5; k++)
            {
                Assert.Same(first, scheduler.Schedule(servers, ctx with { ClientPort = (ushort)(ctx.ClientPort + k) }));
            }
        }
    }

    private static void RunBatch(IScheduler scheduler, RealServer[] servers, int pass)
    {
        for (int i = 0; i < 500; i++)
        {
            var ctx = new ScheduleContext(IpProtocol.Tcp, 0xC6330000u + (uint)(i * 7919), (ushort)(1024 + i), 0xC0000200u + (uint)(i % 16), 80, (pass * 500) + i);
            scheduler.Schedule(servers, ctx);
        }
    }

    private static RealServer[] RandomServers(Random random)
    {
        int n = random.Next(1, 9);
        var servers = new RealServer[n];
        for (int i = 0; i < n; i++)
        {
            int weight = random.Next(4) == 0 ? 0 : random.Next(1, 20);
            servers[i] = new RealServer(0x0A000001u + (uint)i, 80, ForwardMethod.Masquerade, weight, 1)
            {
                Overloaded = random.Next(4) == 0,
            };
            SetLoad(servers[i], random.Next(30), random.Next(100));
        }

        return servers;
    }

    private static int Gcd(int a, int b) => b == 0 ? a : Gcd(b, a % b);
}
