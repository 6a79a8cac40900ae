using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// wlc — weighted least connection (ip_vs_wlc.c), the default scheduler. Picks the server with
/// the least overhead / weight. The first server that is not overloaded and has weight &gt; 0
/// starts as the candidate; a later one replaces it only when strictly less loaded, so ties
/// keep the earlier server.
/// </summary>
/// <remarks>
/// The walk reads each server's <see cref="RealServer.State"/> (counts, weight, overload flag in
/// one array) from a list of those arrays kept beside the destinations, so it crosses no
/// <see cref="RealServer"/> object. The list is rebuilt when the destinations array changes
/// (arrays are replaced as a whole, never edited); the values in it are read live.
/// </remarks>
public sealed class WeightedLeastConnectionScheduler : IScheduler
{
    private RealServer[]? _statesOf;
    private int[][] _states = [];

    public string Name => "wlc";

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context)
    {
        if (!ReferenceEquals(destinations, _statesOf))
        {
            OnDestinationsChanged(destinations);
        }

        int i = PickLeast(new CachedStates(_states));
        return i < 0 ? null : destinations[i];
    }

    public void OnDestinationsChanged(RealServer[] destinations)
    {
        var states = new int[destinations.Length][];
        for (int i = 0; i < destinations.Length; i++)
        {
            states[i] = destinations[i].State;
        }

        _states = states;
        _statesOf = destinations;
    }

    /// <summary>
    /// The weighted least-connection pick shared by wlc, lblc and lblcr (__ip_vs_lblc_schedule
    /// is the same loop).
    /// </summary>
    internal static RealServer? PickLeast(RealServer[] destinations)
    {
        int i = PickLeast(new ServerStates(destinations));
        return i < 0 ? null : destinations[i];
    }

    /// <summary>The loop itself over any list of <see cref="RealServer.State"/> arrays; the index picked, or -1.</summary>
    private static int PickLeast<TStates>(TStates states)
        where TStates : struct, IStates
    {
        int n = states.Count;
        int i = 0;
        int least = -1;
        long loh = 0, lw = 0;
        for (; i < n; i++)
        {
            int[] d = states[i];
            int w = Weight(d);
            if (!Overloaded(d) && w > 0)
            {
                least = i;
                loh = CounterSet.Overhead(d);
                lw = w;
                break;
            }
        }

        for (i++; i < n; i++)
        {
            int[] d = states[i];
            if (Overloaded(d))
            {
                continue;
            }

            // No floats: loh / lw > doh / dw is tested as loh * dw > doh * lw, in 64 bits as the
            // kernel's (__s64) casts do. It equals the division form while weights are > 0; a
            // server of weight 0 gives 0 > doh * lw, never true, so it is never picked here.
            // lw is the weight read when the candidate was taken (the kernel re-reads it; the
            // same value unless the control plane changes it during this very pick).
            long doh = CounterSet.Overhead(d);
            long dw = Weight(d);
            if (loh * dw > doh * lw)
            {
                least = i;
                loh = doh;
                lw = dw;
            }
        }

        return least;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Weight(int[] state) =>
        Volatile.Read(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(state), RealServer.WeightIndex));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Overloaded(int[] state) =>
        Volatile.Read(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(state), RealServer.OverloadedIndex)) != 0;

    private interface IStates
    {
        int Count { get; }

        int[] this[int i] { get; }
    }

    /// <summary>The state arrays cached beside the destinations.</summary>
    private readonly struct CachedStates(int[][] states) : IStates
    {
        public int Count => states.Length;

        public int[] this[int i] => states[i];
    }

    /// <summary>The state arrays read through each server (lblc, lblcr: no cache of their own).</summary>
    private readonly struct ServerStates(RealServer[] servers) : IStates
    {
        public int Count => servers.Length;

        public int[] this[int i] => servers[i].State;
    }
}
