using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>
/// The per-destination-address table of lblc and lblcr (struct ip_vs_lblc_table /
/// ip_vs_lblcr_table): 1024 hash buckets (hash_32 of the address, 10 bits; new entries at the
/// bucket head), a soft limit of 16 × 1024 entries, and the kernel's periodic timer replayed
/// from <see cref="ScheduleContext.Now"/> instead of run by a clock.
/// </summary>
/// <remarks>
/// <para>The timer (ip_vs_lblc_check_expire) ticks every 60 s from the first call. Every 30th
/// tick does a full check, dropping entries unused for the expiration (24 h by default);
/// otherwise, while the table holds more than its limit, a tick drops entries unused for 6 min,
/// bucket by bucket from a rover, until (entries - limit) × 4/3 (at most half the limit) are gone.
/// <see cref="Advance"/> replays the ticks that fell due up to now with now = the tick's time,
/// so state matches the kernel's at each tick. Runs of quiet ticks cost O(1); of several due
/// full checks only the last runs, since nothing else changes in between and a later check
/// removes a superset. At most one table walk is done per call; when more are due (only while
/// over the limit) the rest wait for the next call.</para>
/// <para>Entries live in pooled arrays linked by index, reused through a free list, so a table of
/// steady size allocates nothing; the arrays only grow when the table reaches a new peak.</para>
/// </remarks>
internal class LocalityTable
{
    /// <summary>CHECK_EXPIRE_INTERVAL, ms.</summary>
    public const long CheckExpireInterval = 60_000;

    /// <summary>ENTRY_TIMEOUT, ms: age at which the over-limit collection may drop an entry.</summary>
    public const long EntryTimeout = 6 * 60_000;

    /// <summary>DEFAULT_EXPIRATION (sysctl lblc_expiration / lblcr_expiration), ms.</summary>
    public const long DefaultExpiration = 24 * 60 * 60_000;

    public const int TableBits = 10;
    public const int TableSize = 1 << TableBits;
    public const int TableMask = TableSize - 1;

    /// <summary>max_size: IP_VS_LBLC_TAB_SIZE * 16.</summary>
    public const int MaxSize = TableSize * 16;

    private const int CountForFullExpiration = 30;

    private readonly int[] _bucket = new int[TableSize];
    private readonly long _expiration;
    private InetAddress[] _address = new InetAddress[16];
    private long[] _lastUse = new long[16];
    private int[] _next = new int[16];
    private int _free = -1;
    private int _highWater;
    private int _rover;
    private int _counter = 1;
    private bool _started;
    private long _nextCheck;

    public LocalityTable(long expiration)
    {
        _expiration = expiration;
        _bucket.AsSpan().Fill(-1);
    }

    /// <summary>The kernel's entry counter (tbl->entries), which is what the limit checks read.</summary>
    public int Entries { get; protected set; }

    /// <summary>Entries actually present.</summary>
    public int Count { get; private set; }

    /// <summary>Replays the periodic timer's ticks due at or before <paramref name="now"/>.</summary>
    public void Advance(long now)
    {
        if (!_started)
        {
            _started = true;
            _nextCheck = now + CheckExpireInterval;
            return;
        }

        if (now < _nextCheck)
        {
            return;
        }

        long due = ((now - _nextCheck) / CheckExpireInterval) + 1;
        long t = _nextCheck;
        bool walked = false;
        while (due > 0)
        {
            if (_counter % CountForFullExpiration == 0)
            {
                if (Entries <= MaxSize && due > CountForFullExpiration)
                {
                    // Another full check is due 30 ticks on with only quiet ticks between: skip to it.
                    long cycles = (due - 1) / CountForFullExpiration;
                    due -= cycles * CountForFullExpiration;
                    t += cycles * CountForFullExpiration * CheckExpireInterval;
                    _counter = CountForFullExpiration;
                    continue;
                }

                if (walked)
                {
                    break;
                }

                FullCheck(t);
                _counter = 1;
                walked = true;
                due--;
                t += CheckExpireInterval;
                continue;
            }

            if (Entries <= MaxSize)
            {
                long steps = Math.Min(CountForFullExpiration - (_counter % CountForFullExpiration), due);
                _counter += (int)steps;
                due -= steps;
                t += steps * CheckExpireInterval;
                continue;
            }

            if (walked)
            {
                break;
            }

            Collect(t);
            walked = true;
            due--;
            t += CheckExpireInterval;
        }

        _nextCheck = t;
    }

    /// <summary>The entry for <paramref name="address"/>, or -1.</summary>
    public int Find(InetAddress address)
    {
        for (int e = _bucket[Bucket(address)]; e >= 0; e = _next[e])
        {
            if (_address[e] == address)
            {
                return e;
            }
        }

        return -1;
    }

    public void Touch(int entry, long now) => _lastUse[entry] = now;

    /// <summary>Adds an entry at its bucket's head and counts it (ip_vs_lblc_hash).</summary>
    protected int Add(InetAddress address, long now)
    {
        int e = _free;
        if (e >= 0)
        {
            _free = _next[e];
        }
        else
        {
            if (_highWater == _next.Length)
            {
                Grow(_next.Length * 2);
            }

            e = _highWater++;
        }

        _address[e] = address;
        _lastUse[e] = now;
        int b = Bucket(address);
        _next[e] = _bucket[b];
        _bucket[b] = e;
        Entries++;
        Count++;
        return e;
    }

    /// <summary>Unlinks an entry and frees it; the kernel's counter is the caller's business.</summary>
    protected void Remove(int entry)
    {
        int b = Bucket(_address[entry]);
        int prev = -1;
        for (int e = _bucket[b]; e >= 0; prev = e, e = _next[e])
        {
            if (e == entry)
            {
                if (prev < 0)
                {
                    _bucket[b] = _next[e];
                }
                else
                {
                    _next[prev] = _next[e];
                }

                break;
            }
        }

        OnFree(entry);
        _next[entry] = _free;
        _free = entry;
        Count--;
    }

    /// <summary>Removes every entry <paramref name="drop"/> selects, counting each (a real deletion).</summary>
    protected void RemoveWhere(Func<int, bool> drop)
    {
        for (int b = 0; b < TableSize; b++)
        {
            int e = _bucket[b];
            while (e >= 0)
            {
                int next = _next[e];
                if (drop(e))
                {
                    Remove(e);
                    Entries--;
                }

                e = next;
            }
        }
    }

    /// <summary>Called as an entry is freed, to release what it holds.</summary>
    protected virtual void OnFree(int entry)
    {
    }

    /// <summary>Grows the per-entry arrays; subclasses grow theirs to <paramref name="capacity"/> too.</summary>
    protected virtual void Grow(int capacity)
    {
        Array.Resize(ref _address, capacity);
        Array.Resize(ref _lastUse, capacity);
        Array.Resize(ref _next, capacity);
    }

    // ip_vs_lblc_hashkey: hash_32 of the address, IPv6 folded to 32 bits first.
    private static int Bucket(InetAddress address) => (int)KernelHash.Hash32(address.HashKey32, TableBits);

    // ip_vs_lblc_full_check: every bucket from the rover on; an entry stays while now is before
    // lastuse + expiration. A whole lap leaves the rover where it was.
    private void FullCheck(long now)
    {
        int j = _rover;
        for (int i = 0; i < TableSize; i++)
        {
            j = (j + 1) & TableMask;
            DropOlder(j, now, _expiration);
        }

        _rover = j;
    }

    // The over-limit part of ip_vs_lblc_check_expire.
    private void Collect(long now)
    {
        int goal = (Entries - MaxSize) * 4 / 3;
        goal = Math.Min(goal, MaxSize / 2);
        int j = _rover;
        for (int i = 0; i < TableSize; i++)
        {
            j = (j + 1) & TableMask;
            goal -= DropOlder(j, now, EntryTimeout);
            if (goal <= 0)
            {
                break;
            }
        }

        _rover = j;
    }

    private int DropOlder(int bucket, long now, long age)
    {
        int dropped = 0;
        int e = _bucket[bucket];
        while (e >= 0)
        {
            int next = _next[e];
            if (now >= _lastUse[e] + age)
            {
                Remove(e);
                Entries--;
                dropped++;
            }

            e = next;
        }

        return dropped;
    }
}
