using Lvs.Core.Services;

namespace Lvs.Core.Connections;

/// <summary>Allocation, hash-chain links and the timer wheel of <see cref="ConnectionTable"/>.</summary>
public sealed partial class ConnectionTable
{
    private int Allocate()
    {
        if (_freeHead >= 0)
        {
            int i = _freeHead;
            _freeHead = _entries[i].WheelNext;
            return i;
        }

        if (_highWater == _entries.Length && !Grow())
        {
            return -1;
        }

        return _highWater++;
    }

    private bool Grow()
    {
        if (_entries.Length >= _maxEntries)
        {
            return false;
        }

        int newSize = (int)Math.Min((long)_entries.Length * 2, _maxEntries);
        Array.Resize(ref _entries, newSize);
        if (newSize > _buckets.Length)
        {
            Rehash((int)BitOperations_RoundUp(newSize));
        }

        return true;
    }

    private void Rehash(int bucketCount)
    {
        _buckets = new int[bucketCount];
        _bucketMask = bucketCount - 1;
        for (int i = 0; i < _highWater; i++)
        {
            if ((_entries[i].Flags & ConnectionFlags.InUse) != 0)
            {
                Link(i);
            }
        }
    }

    private void Link(int i)
    {
        ref Connection c = ref _entries[i];
        int bin = Hash(c.Protocol, c.ClientAddress, c.ClientPort, c.VirtualAddress, c.VirtualPort) & _bucketMask;
        c.NextIn = _buckets[bin];
        _buckets[bin] = (i << 1) + 1;

        if ((c.Flags & ConnectionFlags.Template) != 0)
        {
            return; // templates are found by their client side only
        }

        int bout = Hash(c.Protocol, c.DestAddress, c.DestPort, c.ClientAddress, c.ClientPort) & _bucketMask;
        c.NextOut = _buckets[bout];
        _buckets[bout] = (i << 1 | 1) + 1;
    }

    private void Unlink(int i)
    {
        ref Connection c = ref _entries[i];
        if ((c.Flags & ConnectionFlags.Unhashed) != 0)
        {
            return;
        }

        UnlinkNode(Hash(c.Protocol, c.ClientAddress, c.ClientPort, c.VirtualAddress, c.VirtualPort) & _bucketMask, (i << 1) + 1);
        if ((c.Flags & ConnectionFlags.Template) != 0)
        {
            return;
        }

        UnlinkNode(Hash(c.Protocol, c.DestAddress, c.DestPort, c.ClientAddress, c.ClientPort) & _bucketMask, (i << 1 | 1) + 1);
    }

    private void UnlinkNode(int bucket, int node)
    {
        ref int link = ref _buckets[bucket];
        while (link != 0)
        {
            if (link == node)
            {
                ref Connection owner = ref _entries[(node - 1) >> 1];
                link = ((node - 1) & 1) == 0 ? owner.NextIn : owner.NextOut;
                return;
            }

            ref Connection c = ref _entries[(link - 1) >> 1];
            link = ref ((link - 1) & 1) == 0 ? ref c.NextIn : ref c.NextOut;
        }
    }

    private void Release(int i)
    {
        ref Connection c = ref _entries[i];
        Unlink(i);
        if (c.Dest is { } dest)
        {
            CounterSlot slot = dest.Counters[_worker];
            if ((c.Flags & ConnectionFlags.Template) != 0)
            {
                slot.PersistConns--;
            }
            else
            {
                if ((c.Flags & ConnectionFlags.Inactive) != 0)
                {
                    slot.InactiveConns--;
                }
                else
                {
                    slot.ActiveConns--;
                }

                dest.CheckOverloadOnUnbind();
            }
        }

        if (c.Control > 0)
        {
            _entries[c.Control - 1].ControlCount--;
        }

        c = default;
        c.WheelNext = _freeHead;
        _freeHead = i;
        Count--;
    }

    private static int SlotOf(long expiresAt) => (int)(((expiresAt + TickMs - 1) / TickMs) & WheelMask);

    private void WheelInsert(int i, long expiresAt)
    {
        int slot = SlotOf(expiresAt);
        ref Connection c = ref _entries[i];
        int head = _wheel[slot];
        c.WheelPrev = -1 - slot; // negative: points at the slot head
        c.WheelNext = head;
        if (head >= 0)
        {
            _entries[head].WheelPrev = i;
        }

        _wheel[slot] = i;
    }

    private void WheelRemove(int i)
    {
        ref Connection c = ref _entries[i];
        if (c.WheelPrev < 0)
        {
            _wheel[-1 - c.WheelPrev] = c.WheelNext;
        }
        else
        {
            _entries[c.WheelPrev].WheelNext = c.WheelNext;
        }

        if (c.WheelNext >= 0)
        {
            _entries[c.WheelNext].WheelPrev = c.WheelPrev;
        }
    }

    private int ExpireSlot(int slot, long now)
    {
        int i = _wheel[slot];
        _wheel[slot] = -1;
        int expired = 0;
        while (i >= 0)
        {
            int next = _entries[i].WheelNext;
            ref Connection c = ref _entries[i];
            if (c.ExpiresAt <= now && c.ControlCount > 0)
            {
                // A template outlives the connections it controls (expire_later in ip_vs_conn_expire).
                c.ExpiresAt = now + c.Timeout;
            }

            long deadline = c.ExpiresAt;
            if (deadline <= now)
            {
                Release(i);
                expired++;
            }
            else
            {
                WheelInsert(i, deadline);
            }

            i = next;
        }

        return expired;
    }
}
