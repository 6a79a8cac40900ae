using Lvs.Core.Scheduling;
using Lvs.Core.Services;

namespace Lvs.Core.Tests.Scheduling;

/// <summary>
/// Servers named A, B, C... (10.0.0.1, .2, ...) and a way to read a pick sequence as letters.
/// A server spec is "weight:active:inactive", with a trailing "!" for overloaded.
/// </summary>
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
            letters.Add(d is null ? "-" : ((char)('A' + (int)(d.Address.V4 - 0x0A000001u))).ToString());
        }

        return string.Join(' ', letters);
    }

    /// <summary>Servers from "w:a:i[!] w:a:i[!] ...".</summary>
    public static RealServer[] Parse(string spec)
    {
        string[] parts = spec.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var servers = new RealServer[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            string p = parts[i];
            bool overloaded = p.EndsWith('!');
            int[] f = [.. p.TrimEnd('!').Split(':').Select(int.Parse)];
            servers[i] = new RealServer(0x0A000001u + (uint)i, 80, ForwardMethod.Masquerade, f[0], 1) { Overloaded = overloaded };
            SetLoad(servers[i], f[1], f[2]);
        }

        return servers;
    }

    public static void SetLoad(RealServer server, int active, int inactive)
    {
        server.Counters[0].ActiveConns = active;
        server.Counters[0].InactiveConns = inactive;
    }

    public static string Letter(RealServer? d) => d is null ? "-" : ((char)('A' + (int)(d.Address.V4 - 0x0A000001u))).ToString();

    /// <summary>Picks <paramref name="count"/> times, each pick adding one active connection to the server picked.</summary>
    public static string PicksEstablishing(IScheduler scheduler, RealServer[] servers, int count)
    {
        var letters = new List<string>(count);
        for (int i = 0; i < count; i++)
        {
            RealServer? d = scheduler.Schedule(servers, Context);
            if (d is not null)
            {
                d.Counters[0].ActiveConns++;
            }

            letters.Add(Letter(d));
        }

        return string.Join(' ', letters);
    }
}
