using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// rr — round robin (ip_vs_rr.c). Walks the list from the server after the last one picked,
/// skipping servers that are overloaded or have weight 0; all servers are equal otherwise.
/// </summary>
public sealed class RoundRobinScheduler : IScheduler
{
    // Position of the last pick; -1 is the list head (nothing picked yet).
    private int _position = -1;
    private RealServer? _last;

    public string Name => "rr";

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context)
    {
        int n = destinations.Length;
        if (n == 0)
        {
            return null;
        }

        // One full lap starting after the last pick and ending with the last pick itself;
        // from the head (-1) that is simply 0..n-1.
        int start = Math.Min(_position, n - 1);
        for (int step = 0; step < n; step++)
        {
            int i = (start + 1 + step) % n;
            RealServer d = destinations[i];
            if (!d.Overloaded && d.Weight > 0)
            {
                _position = i;
                _last = d;
                return d;
            }
        }

        return null;
    }

    public void OnDestinationsChanged(RealServer[] destinations)
    {
        // Keep the position on the last pick when it is still there; when it was removed the
        // kernel steps back to its predecessor, which "after the last pick" here reproduces by
        // pointing at the index the removed server had, minus one.
        if (_last is null)
        {
            _position = -1;
            return;
        }

        int idx = Array.IndexOf(destinations, _last);
        if (idx >= 0)
        {
            _position = idx;
            return;
        }

        _position = Math.Min(_position, destinations.Length) - 1;
        _last = _position >= 0 ? destinations[_position] : null;
    }
}
