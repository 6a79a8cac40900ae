using System.Buffers.Binary;

namespace Lvs.Core.Sync;

/// <summary>
/// Builds version 1 sync messages as ip_vs_sync_conn does: entries appended 32-bit aligned
/// until the next one would pass <see cref="MaxLength"/> (or 255 entries, nr_conns's limit).
/// Reuses one buffer; allocates nothing after construction.
/// </summary>
public sealed class SyncEncoder
{
    private readonly byte[] _buffer;
    private int _length;

    /// <param name="syncId">The syncid every message carries.</param>
    /// <param name="maxLength">The largest message (UDP payload), the kernel's sync_maxlen.</param>
    public SyncEncoder(byte syncId, int maxLength)
    {
        if (maxLength < SyncWire.HeaderLength + SyncWire.V4EntryLength || maxLength > 65507)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "a sync message holds 44 to 65507 bytes");
        }

        SyncId = syncId;
        MaxLength = maxLength;

        // ip_vs_sync_buff_create: a buffer is never smaller than one entry, so a lone IPv6 entry
        // with options goes out even when maxlen is tiny.
        _buffer = new byte[Math.Max(maxLength, SyncWire.HeaderLength + SyncWire.V6EntryLength + SyncWire.SequenceOptionLength + 2)];
        Reset();
    }

    public byte SyncId { get; }

    public int MaxLength { get; }

    /// <summary>Entries in the current message.</summary>
    public int Count { get; private set; }

    public bool IsEmpty => Count == 0;

    /// <summary>Starts a new, empty message.</summary>
    public void Reset()
    {
        _length = SyncWire.HeaderLength;
        Count = 0;
    }

    /// <summary>Appends an entry; false when it does not fit (send <see cref="Message"/>, <see cref="Reset"/>, add again).</summary>
    public bool TryAdd(in SyncEntry entry)
    {
        int len = entry.WireLength;
        int pad = (4 - _length) & 3;
        int limit = Count == 0 ? _buffer.Length : MaxLength;
        if (Count == SyncWire.MaxEntriesPerMessage || _length + pad + len > limit)
        {
            return false;
        }

        _buffer.AsSpan(_length, pad).Clear();
        _length += pad;
        _length += WriteEntry(_buffer.AsSpan(_length), entry);
        Count++;
        return true;
    }

    /// <summary>The current message, header filled in; valid until the next change.</summary>
    public ReadOnlySpan<byte> Message
    {
        get
        {
            Span<byte> h = _buffer;
            h[0] = 0; // reserved: version 0 receivers read it as "no connections"
            h[1] = SyncId;
            BinaryPrimitives.WriteUInt16BigEndian(h[2..], (ushort)_length);
            h[4] = (byte)Count;
            h[5] = SyncWire.Version;
            BinaryPrimitives.WriteUInt16BigEndian(h[6..], 0);
            return _buffer.AsSpan(0, _length);
        }
    }

    /// <summary>Writes one entry (struct ip_vs_sync_v4/v6 and its sequence option); returns its length.</summary>
    public static int WriteEntry(Span<byte> d, in SyncEntry e)
    {
        int len = e.WireLength;
        d[0] = e.IsIPv6 ? SyncWire.TypeInet6 : (byte)0;
        d[1] = e.Protocol;
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], (ushort)(len & SyncWire.SizeMask)); // entry version 0
        BinaryPrimitives.WriteUInt32BigEndian(d[4..], e.Flags & ~IpvsConnFlags.Hashed);
        BinaryPrimitives.WriteUInt16BigEndian(d[8..], e.State);
        BinaryPrimitives.WriteUInt16BigEndian(d[10..], e.ClientPort);
        BinaryPrimitives.WriteUInt16BigEndian(d[12..], e.VirtualPort);
        BinaryPrimitives.WriteUInt16BigEndian(d[14..], e.DestPort);
        BinaryPrimitives.WriteUInt32BigEndian(d[16..], e.Fwmark);
        BinaryPrimitives.WriteUInt32BigEndian(d[20..], e.TimeoutSeconds);
        int p;
        if (e.IsIPv6)
        {
            e.ClientAddress.WriteTo(d[24..]);
            e.VirtualAddress.WriteTo(d[40..]);
            e.DestAddress.WriteTo(d[56..]);
            p = SyncWire.V6EntryLength;
        }
        else
        {
            BinaryPrimitives.WriteUInt32BigEndian(d[24..], (uint)e.ClientAddress.Low);
            BinaryPrimitives.WriteUInt32BigEndian(d[28..], (uint)e.VirtualAddress.Low);
            BinaryPrimitives.WriteUInt32BigEndian(d[32..], (uint)e.DestAddress.Low);
            p = SyncWire.V4EntryLength;
        }

        if (e.HasSequence)
        {
            d[p++] = SyncWire.OptionSequence;
            d[p++] = SyncWire.SequenceOptionLength;
            p += WriteSequence(d[p..], e.InSequence);
            p += WriteSequence(d[p..], e.OutSequence);
        }

        return p;
    }

    private static int WriteSequence(Span<byte> d, in SyncSequence s)
    {
        BinaryPrimitives.WriteUInt32BigEndian(d, s.InitialSequence);
        BinaryPrimitives.WriteUInt32BigEndian(d[4..], s.Delta);
        BinaryPrimitives.WriteUInt32BigEndian(d[8..], s.PreviousDelta);
        return 12;
    }
}
