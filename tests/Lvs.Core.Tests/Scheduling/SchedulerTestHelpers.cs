using Lvs.Core.Scheduling;
using Lvs.Core.Services;

namespace Lvs.Core.Tests.Scheduling;

/// <summary>Servers named A, B, C... (10.0.0.1, .2, ...) and a way to read a pick sequence as letters.</summary>
internal static class SchedulerTestHelpers
{
    public static readonly ScheduleContext Context = new(IpProtocol.Tcp, 0xC6336402, 40000, 0xC000020A, 80);

    public static RealServer[] Servers(params int[] weights) =>
        [.. weights.Select((w, i) => new RealServer(0x0A000001u + (uint)i, 80, ForwardMethod.Masquerade, w, 1))];

    public static string Picks(IScheduler scheduler, RealServer[] servers, int count)
    {
        var letters = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            RealServer? d = scheduler.Schedule(servers, Context);
            letters.Add(d is null ? "-" : ((char)('A' + (int)(d.Address - 0x0A000001u))).ToString());
        }

        return string.Join(' ', letters);
    }
}
