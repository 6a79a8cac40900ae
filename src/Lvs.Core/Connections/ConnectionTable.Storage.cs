using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
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
            _freeHead = _wheelLinks[2 * i];
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
        Array.Resize(ref _links, 2 * newSize);
        Array.Resize(ref _wheelLinks, 2 * newSize);
        if (newSize > _buckets.Length)
        {
            Rehash((int)BitOperations_RoundUp(newSize));
        }

        return true;
    }

    private void Rehash(int bucketCount)
    {
        _buckets = new uint[bucketCount];
        _bucketMask = bucketCount - 1;
        for (int i = 0; i < _highWater; i++)
        {
            // An invalidated template stays out of the hash (Unlink skips it when it expires).
            ConnectionFlags flags = _entries[i].Flags;
            if ((flags & ConnectionFlags.InUse) != 0 && (flags & ConnectionFlags.Unhashed) == 0)
            {
                Link(i);
            }
        }
    }

    private void Link(int i)
    {
        ref Connection c = ref _entries[i];
        uint h = (uint)Hash(c.Protocol, c.ClientAddress, c.ClientPort, c.VirtualAddress, c.VirtualPort);
        ref uint bin = ref _buckets[h & (uint)_bucketMask];
        _links[2 * i] = bin;
        bin = (h & _tagMask) | (uint)(2 * i + 1);

        if ((c.Flags & ConnectionFlags.Template) != 0)
        {
            return; // templates are found by their client side only
        }

        h = (uint)Hash(c.Protocol, c.DestAddress, c.DestPort, c.ClientAddress, c.ClientPort);
        ref uint bout = ref _buckets[h & (uint)_bucketMask];
        _links[2 * i + 1] = bout;
        bout = (h & _tagMask) | (uint)(2 * i + 2);
    }

    private void Unlink(int i)
    {
        ref Connection c = ref _entries[i];
        if ((c.Flags & ConnectionFlags.Unhashed) != 0)
        {
            return;
        }

        UnlinkNode(Hash(c.Protocol, c.ClientAddress, c.ClientPort, c.VirtualAddress, c.VirtualPort) & _bucketMask, (uint)(2 * i + 1));
        if ((c.Flags & ConnectionFlags.Template) != 0)
        {
            return;
        }

        UnlinkNode(Hash(c.Protocol, c.DestAddress, c.DestPort, c.ClientAddress, c.ClientPort) & _bucketMask, (uint)(2 * i + 2));
    }

    /// <summary>Takes node <paramref name="node"/> out of its chain; reads only the link array.</summary>
    private void UnlinkNode(int bucket, uint node)
    {
        ref uint link = ref _buckets[bucket];
        while (link != 0)
        {
            uint id = link & _nodeMask;
            if (id == node)
            {
                link = _links[id - 1];
                return;
            }

            link = ref _links[id - 1];
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
        _wheelLinks[2 * i] = _freeHead;
        _freeHead = i;
        Count--;
    }

    private static int SlotOf(long expiresAt) => (int)(((expiresAt + TickMs - 1) / TickMs) & WheelMask);

    private void WheelInsert(int i, long expiresAt)
    {
        int slot = SlotOf(expiresAt);
        int head = _wheel[slot];
        _wheelLinks[2 * i + 1] = -1 - slot; // negative: points at the slot head
        _wheelLinks[2 * i] = head;
        if (head >= 0)
        {
            _wheelLinks[2 * head + 1] = i;
        }

        _wheel[slot] = i;
    }

    private void WheelRemove(int i)
    {
        int next = _wheelLinks[2 * i], prev = _wheelLinks[2 * i + 1];
        if (prev < 0)
        {
            _wheel[-1 - prev] = next;
        }
        else
        {
            _wheelLinks[2 * prev] = next;
        }

        if (next >= 0)
        {
            _wheelLinks[2 * next + 1] = prev;
        }
    }

    private int ExpireSlot(int slot, long now)
    {
        int i = _wheel[slot];
        _wheel[slot] = -1;

        // The slot's entries are scattered over the table and mostly out of cache. Their order is
        // known from the dense wheel links alone, so prefetch a few entries ahead of the one being
        // expired: the misses overlap instead of coming one after another. Processing an entry
        // only rewrites its own links (free list or another slot), never those still ahead.
        int ahead = i;
        for (int k = 0; k < PrefetchDistance && ahead >= 0; k++)
        {
            Prefetch(ahead);
            ahead = _wheelLinks[2 * ahead];
        }

        int expired = 0;
        while (i >= 0)
        {
            int next = _wheelLinks[2 * i];
            if (ahead >= 0)
            {
                Prefetch(ahead);
                ahead = _wheelLinks[2 * ahead];
            }

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

    private const int PrefetchDistance = 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private unsafe void Prefetch(int i)
    {
        if (Sse.IsSupported)
        {
            // A hint only: an address made stale by a moving GC costs nothing but the hint.
            byte* p = (byte*)Unsafe.AsPointer(ref _entries[i]);
            Sse.Prefetch0(p);
            Sse.Prefetch0(p + Unsafe.SizeOf<Connection>() - 1);
        }
    }
}
