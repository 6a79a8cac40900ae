using Lvs.Core.Services;
using Lvs.Linux.PacketIO;

namespace Lvs.Daemon.DataPath;

/// <summary>
/// Frames waiting for a next hop's MAC address (the kernel's arp_queue): a fixed pool of
/// preallocated buffers, so holding a frame never allocates. A frame waits at most
/// <see cref="MaxWaitMs"/>; when the pool is full the newest frame is dropped.
/// </summary>
public sealed class PendingFrames
{
    public const int MaxWaitMs = 1000;

    private readonly byte[][] _buffers;
    private readonly Entry[] _entries;
    private int _count;

    public PendingFrames(int capacity = 64, int frameSize = 65536 + 64)
    {
        _buffers = new byte[capacity][];
        _entries = new Entry[capacity];
        for (int i = 0; i < capacity; i++)
        {
            _buffers[i] = new byte[frameSize];
        }
    }

    public int Count => _count;

    public bool TryAdd(ReadOnlySpan<byte> frame, in VirtioNetHeader vnet, int ifIndex, InetAddress nextHop, long now)
    {
        if (_count == _entries.Length || frame.Length > _buffers[_count].Length)
        {
            return false;
        }

        frame.CopyTo(_buffers[_count]);
        _entries[_count] = new Entry(ifIndex, nextHop, frame.Length, vnet, now);
        _count++;
        return true;
    }

    /// <summary>
    /// Offers each waiting frame to <paramref name="release"/>, which returns true when it sent
    /// (or finally dropped) the frame; frames older than <see cref="MaxWaitMs"/> go to
    /// <paramref name="expire"/>. Struct callbacks, so servicing the queue allocates nothing.
    /// </summary>
    public void Service<TRelease>(long now, ref TRelease release)
        where TRelease : struct, IPendingRelease
    {
        int kept = 0;
        for (int i = 0; i < _count; i++)
        {
            Entry e = _entries[i];
            bool done;
            if (now - e.Since > MaxWaitMs)
            {
                release.Expire(e);
                done = true;
            }
            else
            {
                done = release.TryRelease(_buffers[i].AsSpan(0, e.Length), e);
            }

            if (!done)
            {
                if (kept != i)
                {
                    (_buffers[kept], _buffers[i]) = (_buffers[i], _buffers[kept]);
                    _entries[kept] = e;
                }

                kept++;
            }
        }

        _count = kept;
    }

    /// <summary>What <see cref="Service{TRelease}"/> does with each waiting frame.</summary>
    public interface IPendingRelease
    {
        bool TryRelease(Span<byte> frame, in Entry entry);

        void Expire(in Entry entry);
    }

    public readonly record struct Entry(int IfIndex, InetAddress NextHop, int Length, VirtioNetHeader Vnet, long Since);
}
