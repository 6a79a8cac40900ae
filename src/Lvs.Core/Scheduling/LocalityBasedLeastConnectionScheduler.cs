using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// lblc — locality-based least connection (ip_vs_lblc.c), for cache clusters: each destination
/// address (the packet's, i.e. <see cref="ScheduleContext.VirtualAddress"/>) sticks to the server
/// it was first given. The cached server is used while it is available, has weight &gt; 0 and is
/// not "overloaded" in lblc's own sense — more active connections than its weight while some
/// server has fewer than half its weight active. Note that, as in the kernel, the cached server's
/// threshold overload flag is not consulted. Otherwise a new server is picked by weighted least
/// connection (as wlc) and cached. Entries expire as <see cref="LocalityTable"/> describes.
/// </summary>
public sealed class LocalityBasedLeastConnectionScheduler : IScheduler
{
    private readonly Table _table;

    /// <summary>Creates the scheduler with the lblc_expiration sysctl, in ms (default 24 h).</summary>
    public LocalityBasedLeastConnectionScheduler(long expiration = LocalityTable.DefaultExpiration)
    {
        _table = new Table(expiration);
    }

    public string Name => "lblc";

    /// <summary>Entries cached (for tests and diagnostics).</summary>
    internal int CachedEntries => _table.Count;

    internal LocalityTable Cache => _table;

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context)
    {
        long now = context.Now;
        _table.Advance(now);
        InetAddress address = context.VirtualAddress;

        int e = _table.Find(address);
        if (e >= 0)
        {
            _table.Touch(e, now);
            RealServer cached = _table.Dest(e);
            if (cached.Available && cached.Weight > 0 && !IsOverloaded(cached, destinations))
            {
                return cached;
            }
        }

        RealServer? d = WeightedLeastConnectionScheduler.PickLeast(destinations);
        if (d is null)
        {
            return null;
        }

        _table.Set(e, address, d, now);
        return d;
    }

    public void OnDestinationsChanged(RealServer[] destinations)
    {
        // The kernel keeps entries of a deleted server (holding it in the trash) until they are
        // next used — then replaced, as the server is no longer available — or expire. We drop
        // them now so that removed servers are not kept alive; the picks are the same.
        var present = new HashSet<RealServer>(destinations, ReferenceEqualityComparer.Instance);
        _table.RemoveWhere(e => !present.Contains(_table.Dest(e)));
    }

    /// <summary>
    /// lblc's is_overloaded: more active connections than weight, and some server (any in the
    /// service, whatever its flags) with active * 2 &lt; weight to move to.
    /// </summary>
    internal static bool IsOverloaded(RealServer dest, RealServer[] destinations)
    {
        if (dest.ActiveConns > dest.Weight)
        {
            foreach (RealServer d in destinations)
            {
                if ((long)d.ActiveConns * 2 < d.Weight)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private sealed class Table : LocalityTable
    {
        private RealServer?[] _dest = new RealServer?[16];

        public Table(long expiration)
            : base(expiration)
        {
        }

        public RealServer Dest(int entry) => _dest[entry]!;

        public new void RemoveWhere(Func<int, bool> drop) => base.RemoveWhere(drop);

        /// <summary>
        /// ip_vs_lblc_new: keep an entry already on <paramref name="dest"/>; else delete the old
        /// entry and, unless the counter is over the limit, add a fresh one. The kernel deletes
        /// the old entry here without decrementing its counter, so each replacement leaves the
        /// counter one higher than the entries present until the limit triggers collection;
        /// we keep that accounting so the limit behaves as it does there.
        /// </summary>
        public void Set(int existing, InetAddress address, RealServer dest, long now)
        {
            if (existing >= 0)
            {
                if (ReferenceEquals(_dest[existing], dest))
                {
                    return;
                }

                Remove(existing);
            }

            if (Entries > MaxSize)
            {
                return;
            }

            int e = Add(address, now);
            _dest[e] = dest;
        }

        protected override void OnFree(int entry) => _dest[entry] = null;

        protected override void Grow(int capacity)
        {
            base.Grow(capacity);
            Array.Resize(ref _dest, capacity);
        }
    }
}
