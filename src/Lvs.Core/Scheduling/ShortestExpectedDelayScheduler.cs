using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// sed — shortest expected delay (ip_vs_sed.c). The expected delay on a server is
/// (active + 1) / weight: inactive connections do not count and the incoming one does. The first
/// usable server (not overloaded, weight &gt; 0) is the candidate; later ones replace it only
/// when strictly better, so ties keep the earlier server.
/// </summary>
public sealed class ShortestExpectedDelayScheduler : IScheduler
{
    public string Name => "sed";

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context)
    {
        int i = 0;
        RealServer? least = null;
        long loh = 0;
        for (; i < destinations.Length; i++)
        {
            RealServer d = destinations[i];
            if (!d.Overloaded && d.Weight > 0)
            {
                least = d;
                loh = d.ActiveConns + 1L;
                break;
            }
        }

        if (least is null)
        {
            return null;
        }

        for (i++; i < destinations.Length; i++)
        {
            RealServer d = destinations[i];
            if (d.Overloaded)
            {
                continue;
            }

            // (loh / lw > doh / dw) as loh * dw > doh * lw in 64 bits; weight 0 can never win.
            long doh = d.ActiveConns + 1L;
            if (loh * d.Weight > doh * least.Weight)
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
