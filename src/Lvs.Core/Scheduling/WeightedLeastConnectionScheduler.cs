using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// wlc — weighted least connection (ip_vs_wlc.c), the default scheduler. Picks the server with
/// the least overhead / weight. The first server that is not overloaded and has weight &gt; 0
/// starts as the candidate; a later one replaces it only when strictly less loaded, so ties
/// keep the earlier server.
/// </summary>
public sealed class WeightedLeastConnectionScheduler : IScheduler
{
    public string Name => "wlc";

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context) => PickLeast(destinations);

    public void OnDestinationsChanged(RealServer[] destinations)
    {
    }

    /// <summary>
    /// The weighted least-connection pick shared by wlc, lblc and lblcr (__ip_vs_lblc_schedule
    /// is the same loop).
    /// </summary>
    internal static RealServer? PickLeast(RealServer[] destinations)
    {
        int i = 0;
        RealServer? least = null;
        long loh = 0, lw = 0;
        for (; i < destinations.Length; i++)
        {
            RealServer d = destinations[i];
            int w = d.Weight;
            if (!d.Overloaded && w > 0)
            {
                least = d;
                loh = d.Overhead;
                lw = w;
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

            // No floats: loh / lw > doh / dw is tested as loh * dw > doh * lw, in 64 bits as the
            // kernel's (__s64) casts do. It equals the division form while weights are > 0; a
            // server of weight 0 gives 0 > doh * lw, never true, so it is never picked here.
            // lw is the weight read when the candidate was taken (the kernel re-reads it; the
            // same value unless the control plane changes it during this very pick).
            long doh = d.Overhead;
            long dw = d.Weight;
            if (loh * dw > doh * lw)
            {
                least = d;
                loh = doh;
                lw = dw;
            }
        }

        return least;
    }
}
