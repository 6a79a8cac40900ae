using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// ovf — overflow connection (ip_vs_ovf.c). Keeps sending to the highest-weight server until its
/// active connections exceed its weight, then overflows to the next highest. A server is skipped
/// when overloaded, of weight 0, or when activeconns &gt; weight — so a server with exactly
/// weight active connections still takes one more, as in the kernel. Equal weights keep the first.
/// </summary>
public sealed class OverflowConnectionScheduler : IScheduler
{
    public string Name => "ovf";

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context)
    {
        RealServer? highest = null;
        int hw = 0;
        foreach (RealServer d in destinations)
        {
            int w = d.Weight;
            if (d.Overloaded || d.ActiveConns > w || w == 0)
            {
                continue;
            }

            if (highest is null || w > hw)
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
