using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// twos — weighted random "power of two choices" (ip_vs_twos.c). Draws two random points in
/// [0, total weight] (inclusive: the kernel draws below total + 1), walks the usable servers
/// (not overloaded, weight &gt; 0) subtracting each weight, and takes the first server at which
/// each point reaches 0 or below as choice 1 and choice 2. Choice 2 wins only when strictly less
/// loaded by overhead / weight.
/// </summary>
public sealed class TwoRandomChoicesScheduler : IScheduler
{
    private readonly Random _random;

    /// <summary>Uses a randomly seeded generator.</summary>
    public TwoRandomChoicesScheduler()
        : this(new Random())
    {
    }

    /// <summary>Uses <paramref name="random"/> for the two draws (NextInt64(maxValue), twice per call).</summary>
    public TwoRandomChoicesScheduler(Random random)
    {
        _random = random;
    }

    public string Name => "twos";

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context)
    {
        long total = 0;
        bool any = false;
        foreach (RealServer d in destinations)
        {
            int w = d.Weight;
            if (!d.Overloaded && w > 0)
            {
                total += w;
                any = true;
            }
        }

        if (!any)
        {
            return null;
        }

        // get_random_u32_below(total + 1), twice, in this order.
        long r1 = _random.NextInt64(total + 1);
        long r2 = _random.NextInt64(total + 1);

        RealServer? choice1 = null, choice2 = null;
        long weight1 = -1, weight2 = -1, overhead1 = 0, overhead2 = 0;
        foreach (RealServer d in destinations)
        {
            int w = d.Weight;
            if (d.Overloaded || w <= 0)
            {
                continue;
            }

            r1 -= w;
            r2 -= w;
            if (r1 <= 0 && weight1 == -1)
            {
                choice1 = d;
                weight1 = w;
                overhead1 = d.Overhead;
            }

            if (r2 <= 0 && weight2 == -1)
            {
                choice2 = d;
                weight2 = w;
                overhead2 = d.Overhead;
            }

            if (weight1 != -1 && weight2 != -1)
            {
                break;
            }
        }

        // overhead1 / weight1 > overhead2 / weight2, cross-multiplied. The kernel multiplies in
        // int; we use 64 bits so huge overheads cannot wrap (the kernel's result where it does not).
        if (choice2 is not null && weight2 * overhead1 > weight1 * overhead2)
        {
            choice1 = choice2;
        }

        return choice1;
    }

    public void OnDestinationsChanged(RealServer[] destinations)
    {
    }
}
