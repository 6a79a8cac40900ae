using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// lc — least connection (ip_vs_lc.c). Picks the server with the least overhead
/// ((active &lt;&lt; 8) + inactive), ignoring weights except that weight 0 (quiesced) and
/// overloaded servers take nothing. Ties keep the first in list order (strict "less than").
/// </summary>
public sealed class LeastConnectionScheduler : IScheduler
{
    public string Name => "lc";

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context)
    {
        RealServer? least = null;
        uint loh = 0;
        foreach (RealServer d in destinations)
        {
            if (d.Overloaded || d.Weight == 0)
            {
                continue;
            }

            // The kernel compares the overhead as unsigned int.
            uint doh = (uint)d.Overhead;
            if (least is null || doh < loh)
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
