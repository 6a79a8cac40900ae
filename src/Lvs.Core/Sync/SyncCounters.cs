namespace Lvs.Core.Sync;

/// <summary>Why a sync message, or one entry of it, was not used.</summary>
/// <remarks>
/// Message-level reasons drop the rest of the message, as ip_vs_process_message does (the
/// entries before a framing error were valid and are kept); entry-level reasons drop one entry
/// and go on with the next (ip_vs_proc_sync_conn's positive return codes).
/// </remarks>
public enum SyncDropReason
{
    None,

    // Whole message.
    /// <summary>Shorter than a header, or than the Size it declares.</summary>
    Truncated,
    /// <summary>Longer than the Size it declares, or than the receiver's maxlen.</summary>
    Oversized,
    /// <summary>Not a version 1 message (version 0 or anything else).</summary>
    UnknownVersion,
    /// <summary>For another syncid than the backup filters on.</summary>
    WrongSyncId,
    /// <summary>An entry shorter than its struct, or running past the message.</summary>
    BadEntrySize,
    /// <summary>An entry whose version bits (ver_size &gt;&gt; 12) are not 0.</summary>
    UnknownEntryVersion,
    /// <summary>An entry type other than IPv4 (0) or IPv6 (STYPE_F_INET6).</summary>
    BadFamily,
    /// <summary>A parameter of zero length, past the entry, of the wrong length, or repeated.</summary>
    BadOption,

    // One entry.
    /// <summary>A connection (not a template) of a protocol other than TCP or UDP.</summary>
    BadProtocol,
    /// <summary>A state number the protocol does not have.</summary>
    BadState,
    /// <summary>An unknown parameter without the optional bit.</summary>
    UnknownOption,
    /// <summary>Persistence-engine data: lvsd has no persistence engines (--pe).</summary>
    UnsupportedPe,
    /// <summary>No virtual service matches the entry on this director.</summary>
    NoService,
    /// <summary>The service has no real server with the entry's address and port.</summary>
    NoDest,
    /// <summary>The connection table is full.</summary>
    TableFull,
    /// <summary>An IPv6 entry while the director forwards IPv4 only.</summary>
    UnsupportedFamily,
    /// <summary>The worker's ring of entries waiting to be sent was full (master side).</summary>
    QueueOverflow,
}

/// <summary>
/// Sync counters, written from several threads (worker, sender, receiver) with interlocked
/// increments: drops are rare and the sent/received counts are per message batch.
/// </summary>
public sealed class SyncCounters
{
    private readonly long[] _drops = new long[Enum.GetValues<SyncDropReason>().Length];
    private long _messagesSent;
    private long _entriesSent;
    private long _messagesReceived;
    private long _entriesReceived;
    private long _entriesInstalled;

    public long MessagesSent => Volatile.Read(ref _messagesSent);
    public long EntriesSent => Volatile.Read(ref _entriesSent);
    public long MessagesReceived => Volatile.Read(ref _messagesReceived);
    public long EntriesReceived => Volatile.Read(ref _entriesReceived);

    /// <summary>Received entries that created or refreshed a connection.</summary>
    public long EntriesInstalled => Volatile.Read(ref _entriesInstalled);

    public void Drop(SyncDropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);

    public long Dropped(SyncDropReason reason) => Volatile.Read(ref _drops[(int)reason]);

    public void Sent(int entries)
    {
        Interlocked.Increment(ref _messagesSent);
        Interlocked.Add(ref _entriesSent, entries);
    }

    public void Received(int entries)
    {
        Interlocked.Increment(ref _messagesReceived);
        Interlocked.Add(ref _entriesReceived, entries);
    }

    public void Installed() => Interlocked.Increment(ref _entriesInstalled);

    /// <summary>Every reason with a non-zero count, as (kebab-case name, count).</summary>
    public IEnumerable<(string Reason, long Count)> Drops()
    {
        foreach (SyncDropReason r in Enum.GetValues<SyncDropReason>())
        {
            long n = Dropped(r);
            if (r != SyncDropReason.None && n > 0)
            {
                yield return (Name(r), n);
            }
        }
    }

    public static string Name(SyncDropReason reason) => reason switch
    {
        SyncDropReason.Truncated => "truncated",
        SyncDropReason.Oversized => "oversized",
        SyncDropReason.UnknownVersion => "unknown-version",
        SyncDropReason.WrongSyncId => "wrong-syncid",
        SyncDropReason.BadEntrySize => "bad-entry-size",
        SyncDropReason.UnknownEntryVersion => "unknown-entry-version",
        SyncDropReason.BadFamily => "bad-family",
        SyncDropReason.BadOption => "bad-option",
        SyncDropReason.BadProtocol => "bad-protocol",
        SyncDropReason.BadState => "bad-state",
        SyncDropReason.UnknownOption => "unknown-option",
        SyncDropReason.UnsupportedPe => "unsupported-pe",
        SyncDropReason.NoService => "no-service",
        SyncDropReason.NoDest => "no-dest",
        SyncDropReason.TableFull => "table-full",
        SyncDropReason.UnsupportedFamily => "unsupported-family",
        SyncDropReason.QueueOverflow => "queue-overflow",
        _ => "none",
    };
}
