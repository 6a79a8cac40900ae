using Lvs.Linux.Interop;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>Transmit: the tx ring, the completion ring that returns sent frames, and the free list.</summary>
public sealed unsafe partial class XskSocket
{
    private readonly ulong[] _freeFrames;
    private int _freeCount;
    private int _queued;
    private ulong _txFrames;
    private ulong _txBytes;
    private ulong _txDroppedNoFrame;
    private ulong _txDroppedTooBig;
    private ulong _txDroppedMalformed;
    private int _lastErrno;

    /// <summary>Frames committed and not yet flushed.</summary>
    public int Queued => _queued;

    /// <summary>
    /// Hands out a free UMEM frame of <paramref name="length"/> bytes to write a frame into, or an
    /// empty span when none is free (flush, then ask again) or the length does not fit a frame.
    /// Nothing is queued until <see cref="Commit"/>.
    /// </summary>
    public Span<byte> Reserve(int length)
    {
        if (length < 14 || length > _frameSize)
        {
            return default;
        }

        if ((_freeCount == 0 && Reclaim() == 0) || _tx.Free == 0)
        {
            return default;
        }

        return new Span<byte>((byte*)_umem + (nint)_freeFrames[_freeCount - 1], length);
    }

    /// <summary>Queues the frame written into the span <see cref="Reserve"/> returned, <paramref name="length"/> bytes of it.</summary>
    public void Commit(int length)
    {
        if (_freeCount == 0 || length < 14 || length > _frameSize || _tx.Free == 0)
        {
            throw new InvalidOperationException("Commit without a matching Reserve");
        }

        var desc = _tx.Desc(_tx.Local++);
        desc->Addr = _freeFrames[--_freeCount];
        desc->Len = (uint)length;
        desc->Options = 0;
        _queued++;
        _txBytes += (ulong)length;
    }

    /// <summary>
    /// Queues the frame written into the span <see cref="Reserve"/> returned, finishing its checksum
    /// first when <paramref name="vnet"/> says NEEDS_CSUM (copy mode has no offload). A GSO header
    /// cannot be honoured (no segmentation here): such a frame is sent as it is.
    /// </summary>
    public void Commit(int length, in VirtioNetHeader vnet)
    {
        if (vnet.NeedsChecksum && _freeCount > 0 && length <= _frameSize)
        {
            var slot = new Span<byte>((byte*)_umem + (nint)_freeFrames[_freeCount - 1], length);
            if (!XskChecksum.Finish(slot, vnet.CsumStart, vnet.CsumOffset))
            {
                _txDroppedMalformed++;
                return;
            }
        }

        Commit(length);
    }

    /// <summary>
    /// As <see cref="TryEnqueue(ReadOnlySpan{byte})"/>, finishing the checksum when
    /// <paramref name="vnet"/> says NEEDS_CSUM: the counterpart of <see cref="PacketSender.TryEnqueue"/>.
    /// </summary>
    public bool TryEnqueue(ReadOnlySpan<byte> frame, in VirtioNetHeader vnet)
    {
        if (!vnet.NeedsChecksum)
        {
            return TryEnqueue(frame);
        }

        if (frame.Length < 14 || frame.Length > _frameSize)
        {
            _txDroppedTooBig++;
            return true;
        }

        var slot = Reserve(frame.Length);
        if (slot.IsEmpty)
        {
            return false;
        }

        frame.CopyTo(slot);
        Commit(frame.Length, vnet);
        return true;
    }

    /// <summary>
    /// Copies <paramref name="frame"/> into a free UMEM frame and queues it. Returns false when no
    /// frame or tx slot is free: flush and try again. A frame that can never be sent (shorter than
    /// an Ethernet header, longer than a UMEM frame) is counted and consumed (true).
    /// </summary>
    public bool TryEnqueue(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14 || frame.Length > _frameSize)
        {
            _txDroppedTooBig++;
            return true;
        }

        var slot = Reserve(frame.Length);
        if (slot.IsEmpty)
        {
            return false;
        }

        frame.CopyTo(slot);
        Commit(frame.Length);
        return true;
    }

    /// <summary>
    /// Publishes the queued frames to the kernel and kicks it (sendto) until it has taken them all:
    /// in copy mode each kick transmits a bounded batch. Frames the kernel has not taken after
    /// <see cref="XskOptions.MaxKicks"/> kicks stay in the ring and go with the next flush; a full
    /// ring shows as <see cref="Reserve"/> returning empty. Returns the frames taken in this call.
    /// </summary>
    public int Flush()
    {
        ObjectDisposedException.ThrowIf(_fd < 0, this);
        _tx.PublishProducer();
        uint start = Volatile.Read(ref *_tx.Consumer);
        for (int kick = 0; kick < _maxKicks && Volatile.Read(ref *_tx.Consumer) != _tx.Local; kick++)
        {
            if (UsesNeedWakeup && !_tx.NeedsWakeup)
            {
                break;
            }

            if (Libc.SendTo(_fd, null, 0, Libc.MSG_DONTWAIT, null, 0) < 0)
            {
                int errno = Errno.Last;
                if (errno is not (Errno.EAGAIN or Errno.ENOBUFS or Errno.EINTR or 16 /* EBUSY */))
                {
                    // e.g. ENETDOWN: the frames stay in the ring for the next flush; the worker
                    // must not die of it. Reported by ReadStatistics().
                    _lastErrno = errno;
                    break;
                }
            }
        }

        uint taken = Volatile.Read(ref *_tx.Consumer) - start;
        _txFrames += taken;
        _queued = (int)(_tx.Local - Volatile.Read(ref *_tx.Consumer));
        Reclaim();
        return (int)taken;
    }

    /// <summary>Counts a frame the caller could not queue (no free frame after a flush).</summary>
    public void CountDropped() => _txDroppedNoFrame++;

    /// <summary>Moves sent frames from the completion ring back to the free list; returns how many.</summary>
    private int Reclaim()
    {
        uint n = _completion.Available;
        for (uint i = 0; i < n; i++)
        {
            _freeFrames[_freeCount++] = *_completion.Address(_completion.Local++);
        }

        if (n > 0)
        {
            _completion.PublishConsumer();
        }

        return (int)n;
    }
}
