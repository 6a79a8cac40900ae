using BenchmarkDotNet.Attributes;
using Lvs.Core.Scheduling;
using Lvs.Core.Services;

namespace Lvs.Bench;

/// <summary>
/// One scheduling decision per op, for every scheduler, over 100 real servers of mixed weights and
/// loads (the new-connection path's scheduler share, without the connection table).
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class SchedulerBenchmark
{
    private const int Servers = 100;

    private IScheduler _scheduler = null!;
    private RealServer[] _destinations = [];
    private uint _client;

    [Params("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos")]
    public string Scheduler { get; set; } = "rr";

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        _destinations = new RealServer[Servers];
        for (int i = 0; i < Servers; i++)
        {
            var rs = new RealServer(0x0A000000u + (uint)i + 1, 80, ForwardMethod.Masquerade, 1 + random.Next(100), workers: 1);
            rs.Counters[0].ActiveConns = random.Next(1000);
            rs.Counters[0].InactiveConns = random.Next(1000);
            _destinations[i] = rs;
        }

        _scheduler = SchedulerRegistry.Create(Scheduler);
        _scheduler.OnDestinationsChanged(_destinations);
    }

    [Benchmark]
    public RealServer? Schedule()
    {
        // A different client each op, so the hashing and locality schedulers do their work.
        _client = unchecked(_client * 1_664_525u + 1_013_904_223u);
        var context = new ScheduleContext(IpProtocol.Tcp, 0xC6336400u | (_client & 0xFFFF), (ushort)(_client >> 16), 0xC000020Au, 80, _client & 0xFFFFF);
        return _scheduler.Schedule(_destinations, context);
    }
}
