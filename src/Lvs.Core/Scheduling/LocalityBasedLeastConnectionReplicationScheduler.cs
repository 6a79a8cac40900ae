using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// lblcr — locality-based least connection with replication (ip_vs_lblcr.c). Each destination
/// address (<see cref="ScheduleContext.VirtualAddress"/>) maps to a set of servers. A request
/// goes to the set's weighted least-connection member (skipping overloaded and unavailable ones).
/// When there is none, or it is "overloaded" in lblc's sense (active &gt; weight while some
/// server has active * 2 &lt; weight), a server is picked from the whole service by weighted least
/// connection and added to the set: the set grows under load. When the set has more than one
/// member and was not modified for the expiration (lblcr_expiration, 24 h by default), its most
/// loaded member is dropped: the set shrinks back. Entries expire as <see cref="LocalityTable"/>
/// describes (the 6-minute ENTRY_TIMEOUT applies to its over-limit collection).
/// </summary>
public sealed class LocalityBasedLeastConnectionReplicationScheduler : IScheduler
{
    private readonly ReplicaTable _table;
    private readonly long _expiration;

    /// <summary>Creates the scheduler with the lblcr_expiration sysctl, in ms (default 24 h).</summary>
    public LocalityBasedLeastConnectionReplicationScheduler(long expiration = LocalityTable.DefaultExpiration)
    {
        _expiration = expiration;
        _table = new ReplicaTable(expiration);
    }

    public string Name => "lblcr";

    internal LocalityTable Cache => _table;

    /// <summary>The replica set of <paramref name="address"/> in list order (for tests), empty if none.</summary>
    internal RealServer[] ReplicaSet(InetAddress address) => _table.Members(_table.Find(address));

    public RealServer? Schedule(RealServer[] destinations, in ScheduleContext context)
    {
        long now = context.Now;
        _table.Advance(now);
        InetAddress address = context.VirtualAddress;

        int e = _table.Find(address);
        RealServer? d;
        if (e >= 0)
        {
            _table.Touch(e, now);
            d = _table.SetMin(e);

            // More than one member and unchanged for the expiration: drop the most loaded. The
            // kernel tests time_after(now, lastmod + expiration), i.e. strictly later.
            if (_table.SetSize(e) > 1 && now > _table.SetLastMod(e) + _expiration)
            {
                RealServer? m = _table.SetMax(e);
                if (m is not null)
                {
                    _table.Erase(e, m, now);
                }
            }

            // The least loaded member is used even if it was the one just dropped, as in the kernel.
            if (d is not null && !LocalityBasedLeastConnectionScheduler.IsOverloaded(d, destinations))
            {
                return d;
            }

            d = WeightedLeastConnectionScheduler.PickLeast(destinations);
            if (d is null)
            {
                return null;
            }

            _table.Insert(e, d, now);
            return d;
        }

        d = WeightedLeastConnectionScheduler.PickLeast(destinations);
        if (d is null)
        {
            return null;
        }

        _table.Create(address, d, now);
        return d;
    }

    public void OnDestinationsChanged(RealServer[] destinations)
    {
        // The kernel leaves deleted servers in the sets (skipped as unavailable) until the set
        // shrinks or the entry expires; we take them out now so removed servers are not kept
        // alive. The set's lastmod is left alone: this is not one of the kernel's modifications.
        var present = new HashSet<RealServer>(destinations, ReferenceEqualityComparer.Instance);
        _table.RemoveMembersNotIn(present);
    }

    /// <summary>The entries plus a pool of set elements, each set a list with new members at the head.</summary>
    private sealed class ReplicaTable : LocalityTable
    {
        private int[] _setHead = new int[16];
        private int[] _setSize = new int[16];
        private long[] _setLastMod = new long[16];

        private RealServer?[] _elemDest = new RealServer?[16];
        private int[] _elemNext = new int[16];
        private int _elemFree = -1;
        private int _elemHighWater;

        public ReplicaTable(long expiration)
            : base(expiration)
        {
            _setHead.AsSpan().Fill(-1);
        }

        public int SetSize(int entry) => _setSize[entry];

        public long SetLastMod(int entry) => _setLastMod[entry];

        public RealServer[] Members(int entry)
        {
            var list = new List<RealServer>();
            for (int x = entry >= 0 ? _setHead[entry] : -1; x >= 0; x = _elemNext[x])
            {
                list.Add(_elemDest[x]!);
            }

            return [.. list];
        }

        /// <summary>ip_vs_lblcr_new for an address without entry: unless over the limit, a new entry with a one-member set.</summary>
        public void Create(InetAddress address, RealServer dest, long now)
        {
            if (Entries > MaxSize)
            {
                return;
            }

            int e = Add(address, now);
            _setHead[e] = -1;
            _setSize[e] = 0;
            InsertUnchecked(e, dest, now);
        }

        /// <summary>ip_vs_dest_set_insert with check: a member already there changes nothing (not even lastmod).</summary>
        public void Insert(int entry, RealServer dest, long now)
        {
            for (int x = _setHead[entry]; x >= 0; x = _elemNext[x])
            {
                if (ReferenceEquals(_elemDest[x], dest))
                {
                    return;
                }
            }

            InsertUnchecked(entry, dest, now);
        }

        /// <summary>ip_vs_dest_set_erase: the first element on <paramref name="dest"/>.</summary>
        public void Erase(int entry, RealServer dest, long now)
        {
            int prev = -1;
            for (int x = _setHead[entry]; x >= 0; prev = x, x = _elemNext[x])
            {
                if (ReferenceEquals(_elemDest[x], dest))
                {
                    Unlink(entry, prev, x);
                    _setLastMod[entry] = now;
                    return;
                }
            }
        }

        /// <summary>
        /// ip_vs_dest_set_min: the first member not overloaded with weight &gt; 0 and available
        /// starts; a later one (not overloaded, available) replaces it when loh * dw &gt; doh * lw
        /// (64-bit), i.e. strictly less loaded per weight.
        /// </summary>
        public RealServer? SetMin(int entry)
        {
            int x = _setHead[entry];
            RealServer? least = null;
            long loh = 0;
            for (; x >= 0; x = _elemNext[x])
            {
                RealServer d = _elemDest[x]!;
                if (d.Overloaded)
                {
                    continue;
                }

                if (d.Weight > 0 && d.Available)
                {
                    least = d;
                    loh = d.Overhead;
                    break;
                }
            }

            if (least is null)
            {
                return null;
            }

            for (x = _elemNext[x]; x >= 0; x = _elemNext[x])
            {
                RealServer d = _elemDest[x]!;
                if (d.Overloaded)
                {
                    continue;
                }

                long doh = d.Overhead;
                if (loh * d.Weight > doh * least.Weight && d.Available)
                {
                    least = d;
                    loh = doh;
                }
            }

            return least;
        }

        /// <summary>
        /// ip_vs_dest_set_max: the first member with weight &gt; 0 starts; a later one of weight
        /// &gt; 0 replaces it when moh / mw &lt; doh / dw, tested as moh * dw &lt; doh * mw (64-bit).
        /// Flags and availability are not looked at, as in the kernel.
        /// </summary>
        public RealServer? SetMax(int entry)
        {
            int x = _setHead[entry];
            RealServer? most = null;
            long moh = 0;
            for (; x >= 0; x = _elemNext[x])
            {
                RealServer d = _elemDest[x]!;
                if (d.Weight > 0)
                {
                    most = d;
                    moh = d.Overhead;
                    break;
                }
            }

            if (most is null)
            {
                return null;
            }

            for (x = _elemNext[x]; x >= 0; x = _elemNext[x])
            {
                RealServer d = _elemDest[x]!;
                long doh = d.Overhead;
                if (moh * d.Weight < doh * most.Weight && d.Weight > 0)
                {
                    most = d;
                    moh = doh;
                }
            }

            return most;
        }

        /// <summary>Takes every member not in <paramref name="present"/> out of every set.</summary>
        public void RemoveMembersNotIn(HashSet<RealServer> present)
        {
            // Free and never-used entries have an empty set (head -1), so a plain sweep is safe.
            for (int e = 0; e < _setHead.Length; e++)
            {
                int prev = -1;
                int x = _setHead[e];
                while (x >= 0)
                {
                    int next = _elemNext[x];
                    if (!present.Contains(_elemDest[x]!))
                    {
                        Unlink(e, prev, x);
                    }
                    else
                    {
                        prev = x;
                    }

                    x = next;
                }
            }
        }

        protected override void OnFree(int entry)
        {
            // ip_vs_dest_set_eraseall.
            int x = _setHead[entry];
            while (x >= 0)
            {
                int next = _elemNext[x];
                FreeElement(x);
                x = next;
            }

            _setHead[entry] = -1;
            _setSize[entry] = 0;
        }

        protected override void Grow(int capacity)
        {
            base.Grow(capacity);
            int old = _setHead.Length;
            Array.Resize(ref _setHead, capacity);
            Array.Resize(ref _setSize, capacity);
            Array.Resize(ref _setLastMod, capacity);
            _setHead.AsSpan(old).Fill(-1);
        }

        private void InsertUnchecked(int entry, RealServer dest, long now)
        {
            int x = _elemFree;
            if (x >= 0)
            {
                _elemFree = _elemNext[x];
            }
            else
            {
                if (_elemHighWater == _elemNext.Length)
                {
                    Array.Resize(ref _elemDest, _elemNext.Length * 2);
                    Array.Resize(ref _elemNext, _elemNext.Length * 2);
                }

                x = _elemHighWater++;
            }

            _elemDest[x] = dest;
            _elemNext[x] = _setHead[entry];
            _setHead[entry] = x;
            _setSize[entry]++;
            _setLastMod[entry] = now;
        }

        private void Unlink(int entry, int prev, int x)
        {
            if (prev < 0)
            {
                _setHead[entry] = _elemNext[x];
            }
            else
            {
                _elemNext[prev] = _elemNext[x];
            }

            _setSize[entry]--;
            FreeElement(x);
        }

        private void FreeElement(int x)
        {
            _elemDest[x] = null;
            _elemNext[x] = _elemFree;
            _elemFree = x;
        }
    }
}
