using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// wrr — weighted round robin (ip_vs_wrr.c). Keeps a current weight cw that starts at the
/// maximum weight and steps down by the gcd of all weights each time the walk passes the end of
/// the list; a server is picked when its weight is at least cw. Weights 4,4,3 give the cycle
/// A B A B C A B C A B C. Servers that are overloaded are skipped; weight 0 never qualifies.
/// </summary>
public sealed class WeightedRoundRobinScheduler : IScheduler
{
    private int _cl = -1;   // current position, -1 = list head
    private int _cw;        // current weight
    private int _mw;        // maximum weight, less (gcd - 1)
    private int _di;        // decreasing interval: gcd of the weights

    public string Name => "wrr";

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context)
    {
        int n = destinations.Length;
        if (_mw == 0 || n == 0)
        {
            return null;
        }

        int pos = Math.Min(_cl, n - 1);
        int last = pos;
        int stop = int.MinValue;
        bool lastPass = false, restarted = false;
        while (true)
        {
            for (int i = pos + 1; i < n; i++)
            {
                RealServer d = destinations[i];
                if (!d.Overloaded && d.Weight >= _cw)
                {
                    _cl = i;
                    return d;
                }

                if (i == stop)
                {
                    _cl = i;
                    return null; // all overloaded
                }
            }

            pos = -1;
            _cw -= _di;
            if (_cw <= 0)
            {
                _cw = _mw;
                if (lastPass || last == -1)
                {
                    _cl = -1;
                    return null;
                }

                restarted = true;
            }

            lastPass = _cw <= _di;
            if (lastPass && restarted && last != -1)
            {
                stop = last;
            }
        }
    }

    public void OnDestinationsChanged(RealServer[] destinations)
    {
        _cl = -1;
        _di = GcdWeight(destinations);
        _mw = MaxWeight(destinations) - (_di - 1);
        if (_cw > _mw || _cw == 0)
        {
            _cw = _mw;
        }
        else if (_di > 1)
        {
            _cw = (_cw / _di * _di) + 1;
        }
    }

    private static int GcdWeight(RealServer[] destinations)
    {
        int g = 0;
        foreach (RealServer d in destinations)
        {
            int w = d.Weight;
            if (w > 0)
            {
                g = g > 0 ? Gcd(w, g) : w;
            }
        }

        return g > 0 ? g : 1;
    }

    private static int MaxWeight(RealServer[] destinations)
    {
        int max = 0;
        foreach (RealServer d in destinations)
        {
            max = Math.Max(max, d.Weight);
        }

        return max;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
