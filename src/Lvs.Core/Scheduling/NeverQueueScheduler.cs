using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// nq — never queue (ip_vs_nq.c). The first usable server (not overloaded, weight != 0) with no
/// active connection is taken at once; when every usable server is busy, the pick is sed's:
/// the least (active + 1) / weight, ties keeping the earlier server.
/// </summary>
public sealed class NeverQueueScheduler : IScheduler
{
    public string Name => "nq";

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context)
    {
        RealServer? least = null;
        long loh = 0;
        foreach (RealServer d in destinations)
        {
            if (d.Overloaded || d.Weight == 0)
            {
                continue;
            }

            int active = d.ActiveConns;
            if (active == 0)
            {
                return d; // idle: no queue to wait in
            }

            // (loh / lw > doh / dw) as loh * dw > doh * lw in 64 bits, as ip_vs_nq.c.
            long doh = active + 1L;
            if (least is null || loh * d.Weight > doh * least.Weight)
            {
                least = d;
                loh = doh;
            }
        }

        return least;
    }

    public void OnDestinationsChanged(RealServer[] destinations)
    {
    }
}
