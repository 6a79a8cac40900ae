using System.Buffers.Binary;
using Lvs.Core.Packets;

namespace Lvs.Core.Sync;

/// <summary>
/// Reads version 1 sync messages with ip_vs_process_message's and ip_vs_proc_sync_conn's checks,
/// never trusting a length: a framing error drops the rest of the message, a bad entry drops
/// that entry, and every drop is counted by reason. Allocates nothing.
/// </summary>
public static class SyncDecoder
{
    /// <summary>IP_VS_TCP_S_LAST: TCP state numbers are below it.</summary>
    private const int TcpStates = 11;

    /// <summary>
    /// Decodes <paramref name="message"/> into <paramref name="entries"/> (room for 255).
    /// </summary>
    /// <param name="syncIdFilter">The backup's syncid; 0 accepts every syncid, as ip_vs.</param>
    /// <param name="maxLength">The receiver's maxlen: a longer datagram is oversized.</param>
    /// <param name="count">How many entries were decoded and are usable.</param>
    /// <returns><see cref="SyncDropReason.None"/>, or why the (rest of the) message was dropped; entry drops are only counted.</returns>
    public static SyncDropReason Decode(ReadOnlySpan<byte> message, byte syncIdFilter, int maxLength, Span<SyncEntry> entries,
        out int count, SyncCounters counters)
    {
        count = 0;
        SyncDropReason r = DecodeCore(message, syncIdFilter, maxLength, entries, ref count, counters);
        if (r != SyncDropReason.None)
        {
            counters.Drop(r);
        }

        return r;
    }

    /// <summary>Reads the syncid and checks the header only: whether this is a version 1 message at all.</summary>
    public static bool IsVersion1(ReadOnlySpan<byte> message) =>
        message.Length >= SyncWire.HeaderLength && message[0] == 0 && message[5] == SyncWire.Version
        && BinaryPrimitives.ReadUInt16BigEndian(message[6..]) == 0;

    private static SyncDropReason DecodeCore(ReadOnlySpan<byte> m, byte syncIdFilter, int maxLength, Span<SyncEntry> entries,
        ref int count, SyncCounters counters)
    {
        if (m.Length < SyncWire.MinimumLength)
        {
            return SyncDropReason.Truncated;
        }

        if (m.Length > maxLength)
        {
            return SyncDropReason.Oversized;
        }

        int size = BinaryPrimitives.ReadUInt16BigEndian(m[2..]);
        if (m.Length != size)
        {
            // ip_vs's "bogus message size": either the datagram lost its tail or carries more than it says.
            return m.Length < size ? SyncDropReason.Truncated : SyncDropReason.Oversized;
        }

        if (syncIdFilter != 0 && m[1] != syncIdFilter)
        {
            return SyncDropReason.WrongSyncId;
        }

        if (!IsVersion1(m))
        {
            return SyncDropReason.UnknownVersion;
        }

        int n = m[4];
        int at = SyncWire.HeaderLength;
        for (int i = 0; i < n; i++)
        {
            if (at + SyncWire.V4EntryLength > m.Length)
            {
                return SyncDropReason.BadEntrySize;
            }

            ushort verSize = BinaryPrimitives.ReadUInt16BigEndian(m[(at + 2)..]);
            int len = verSize & SyncWire.SizeMask;
            if (at + len > m.Length)
            {
                return SyncDropReason.BadEntrySize;
            }

            if (verSize >> SyncWire.VersionShift != 0)
            {
                return SyncDropReason.UnknownEntryVersion;
            }

            SyncDropReason entryResult = DecodeEntry(m.Slice(at, len), out SyncEntry entry);
            if (entryResult is SyncDropReason.BadEntrySize or SyncDropReason.BadFamily or SyncDropReason.BadOption)
            {
                return entryResult;
            }

            if (entryResult != SyncDropReason.None)
            {
                counters.Drop(entryResult);
            }
            else if (count < entries.Length)
            {
                entries[count++] = entry;
            }

            at += (len + 3) & ~3;
        }

        return SyncDropReason.None;
    }

    /// <summary>Decodes one entry (its Size already bounds <paramref name="e"/>).</summary>
    private static SyncDropReason DecodeEntry(ReadOnlySpan<byte> e, out SyncEntry entry)
    {
        entry = default;
        byte type = e.Length > 0 ? e[0] : (byte)0;
        int fixedLength;
        if ((type & SyncWire.TypeInet6) != 0)
        {
            entry.IsIPv6 = true;
            fixedLength = SyncWire.V6EntryLength;
        }
        else if (type == 0)
        {
            fixedLength = SyncWire.V4EntryLength;
        }
        else
        {
            return SyncDropReason.BadFamily;
        }

        if (e.Length < fixedLength)
        {
            return SyncDropReason.BadEntrySize;
        }

        entry.Protocol = e[1];
        entry.Flags = BinaryPrimitives.ReadUInt32BigEndian(e[4..]);
        entry.State = BinaryPrimitives.ReadUInt16BigEndian(e[8..]);
        entry.ClientPort = BinaryPrimitives.ReadUInt16BigEndian(e[10..]);
        entry.VirtualPort = BinaryPrimitives.ReadUInt16BigEndian(e[12..]);
        entry.DestPort = BinaryPrimitives.ReadUInt16BigEndian(e[14..]);
        entry.Fwmark = BinaryPrimitives.ReadUInt32BigEndian(e[16..]);
        entry.TimeoutSeconds = BinaryPrimitives.ReadUInt32BigEndian(e[20..]);
        if (entry.IsIPv6)
        {
            entry.ClientAddress = Ipv6Address.ReadFrom(e[24..]);
            entry.VirtualAddress = Ipv6Address.ReadFrom(e[40..]);
            entry.DestAddress = Ipv6Address.ReadFrom(e[56..]);
        }
        else
        {
            entry.ClientAddress = Ipv6Address.FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(e[24..]));
            entry.VirtualAddress = Ipv6Address.FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(e[28..]));
            entry.DestAddress = Ipv6Address.FromIPv4(BinaryPrimitives.ReadUInt32BigEndian(e[32..]));
        }

        SyncDropReason options = DecodeOptions(e[fixedLength..], ref entry, out bool pe, out bool unknownMandatory);
        if (options != SyncDropReason.None)
        {
            return options;
        }

        if (unknownMandatory)
        {
            return SyncDropReason.UnknownOption;
        }

        // ip_vs_proc_sync_conn: a connection's protocol and state must exist; a template's state is ignored.
        if (!entry.IsTemplate)
        {
            if (entry.Protocol is not (6 or 17))
            {
                return SyncDropReason.BadProtocol;
            }

            if (entry.State >= (entry.Protocol == 6 ? TcpStates : 1))
            {
                return SyncDropReason.BadState;
            }
        }
        else
        {
            entry.State = 0;
        }

        // Persistence-engine data needs an engine by that name (ip_vs_conn_fill_param_sync); we have none.
        return pe ? SyncDropReason.UnsupportedPe : SyncDropReason.None;
    }

    private static SyncDropReason DecodeOptions(ReadOnlySpan<byte> p, ref SyncEntry entry, out bool pe, out bool unknownMandatory)
    {
        pe = false;
        unknownMandatory = false;
        bool seen1 = false, seen2 = false, seen3 = false;
        int at = 0;
        while (at < p.Length)
        {
            if (at + 2 > p.Length)
            {
                return SyncDropReason.BadOption;
            }

            int type = p[at];
            int len = p[at + 1];
            at += 2;
            if (len == 0 || at + len > p.Length)
            {
                return SyncDropReason.BadOption;
            }

            ReadOnlySpan<byte> data = p.Slice(at, len);
            switch (type & ~SyncWire.OptionOptionalFlag)
            {
                case SyncWire.OptionSequence:
                    if (len != SyncWire.SequenceOptionLength || seen1)
                    {
                        return SyncDropReason.BadOption;
                    }

                    seen1 = true;
                    entry.HasSequence = true;
                    entry.InSequence = ReadSequence(data);
                    entry.OutSequence = ReadSequence(data[12..]);
                    break;
                case SyncWire.OptionPeData:
                    if (len > SyncWire.PeDataMaxLength || seen2)
                    {
                        return SyncDropReason.BadOption;
                    }

                    seen2 = true;
                    pe = true;
                    break;
                case SyncWire.OptionPeName:
                    if (len > SyncWire.PeNameMaxLength || seen3)
                    {
                        return SyncDropReason.BadOption;
                    }

                    seen3 = true;
                    pe = true;
                    break;
                default:
                    if ((type & SyncWire.OptionOptionalFlag) == 0)
                    {
                        // ip_vs_proc_sync_conn stops at an unknown mandatory parameter: this entry only is dropped.
                        unknownMandatory = true;
                        return SyncDropReason.None;
                    }

                    break;
            }

            at += len;
        }

        return SyncDropReason.None;
    }

    private static SyncSequence ReadSequence(ReadOnlySpan<byte> d) =>
        new(BinaryPrimitives.ReadUInt32BigEndian(d), BinaryPrimitives.ReadUInt32BigEndian(d[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(d[8..]));
}
