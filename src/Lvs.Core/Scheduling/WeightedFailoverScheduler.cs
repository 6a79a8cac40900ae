using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// fo — weighted failover (ip_vs_fo.c). All new connections go to the server with the highest
/// weight that is not overloaded; weight 0 never qualifies, and among equal weights the first in
/// list order stays (strict "greater than").
/// </summary>
public sealed class WeightedFailoverScheduler : IScheduler
{
    public string Name => "fo";

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context)
    {
        RealServer? highest = null;
        int hw = 0;
        foreach (RealServer d in destinations)
        {
            int w = d.Weight;
            if (!d.Overloaded && w > hw)
            {
                highest = d;
                hw = w;
            }
        }

        return highest;
    }

    public void OnDestinationsChanged(RealServer[] destinations)
    {
    }
}
