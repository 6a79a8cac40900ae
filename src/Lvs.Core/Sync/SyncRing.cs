namespace Lvs.Core.Sync;

/// <summary>
/// A bounded single-producer single-consumer ring of entries waiting to be sent: the worker
/// writes (never blocks, never allocates; a full ring drops the entry and the caller counts it),
/// the sync sender reads.
/// </summary>
public sealed class SyncRing
{
    private readonly SyncEntry[] _slots;
    private readonly int _mask;
    private long _head; // next to read, written by the consumer
    private long _tail; // next to write, written by the producer

    /// <param name="capacity">Rounded up to a power of two.</param>
    public SyncRing(int capacity = 16384)
    {
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 2));
        _slots = new SyncEntry[size];
        _mask = size - 1;
    }

    public int Capacity => _slots.Length;

    /// <summary>Entries waiting (a snapshot).</summary>
    public int Count => (int)(Volatile.Read(ref _tail) - Volatile.Read(ref _head));

    /// <summary>Producer side. False when the ring is full.</summary>
    public bool TryWrite(in SyncEntry entry)
    {
        long tail = _tail;
        if (tail - Volatile.Read(ref _head) >= _slots.Length)
        {
            return false;
        }

        _slots[tail & _mask] = entry;
        Volatile.Write(ref _tail, tail + 1); // publishes the slot
        return true;
    }

    /// <summary>Consumer side. False when the ring is empty.</summary>
    public bool TryRead(out SyncEntry entry)
    {
        long head = _head;
        if (head == Volatile.Read(ref _tail))
        {
            entry = default;
            return false;
        }

        entry = _slots[head & _mask];
        Volatile.Write(ref _head, head + 1);
        return true;
    }
}
