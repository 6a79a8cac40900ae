using System.Buffers.Binary;

namespace Lvs.Core.Sync;

/// <summary>What a pull message asks or tells.</summary>
public enum PullKind : byte
{
    /// <summary>A backup asks every master on the sync group for its whole table.</summary>
    Request = 1,

    /// <summary>A master has sent its whole table (as ordinary version 1 messages) to the requester.</summary>
    Done = 2,
}

/// <summary>
/// lvsd's own pull-on-boot messages (docs/sync-pull.md), on the sync port beside ip_vs's version 1
/// messages. They share the version 1 header's first four bytes but carry version 0x4C, so a kernel
/// takes them for version 0 messages with a connection count of 0 and ignores them.
/// </summary>
/// <remarks>
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      0        |    SyncID     |          Size (16)            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      0        |  Version 0x4C |    Kind       |      0        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Nonce (request's)                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           Messages sent (Done; 0 in a Request)                |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// </remarks>
public readonly record struct PullMessage(PullKind Kind, byte SyncId, uint Nonce, uint Messages)
{
    public const byte Version = 0x4C;
    public const int Length = 16;

    public void WriteTo(Span<byte> d)
    {
        d[..Length].Clear();
        d[1] = SyncId;
        BinaryPrimitives.WriteUInt16BigEndian(d[2..], Length);
        d[5] = Version;
        d[6] = (byte)Kind;
        BinaryPrimitives.WriteUInt32BigEndian(d[8..], Nonce);
        BinaryPrimitives.WriteUInt32BigEndian(d[12..], Messages);
    }

    /// <summary>Reads a pull message; false for anything else (a version 1 message included).</summary>
    public static bool TryRead(ReadOnlySpan<byte> m, out PullMessage message)
    {
        message = default;
        if (m.Length != Length || m[0] != 0 || m[4] != 0 || m[5] != Version || m[7] != 0
            || BinaryPrimitives.ReadUInt16BigEndian(m[2..]) != Length || m[6] is not ((byte)PullKind.Request or (byte)PullKind.Done))
        {
            return false;
        }

        message = new PullMessage((PullKind)m[6], m[1], BinaryPrimitives.ReadUInt32BigEndian(m[8..]), BinaryPrimitives.ReadUInt32BigEndian(m[12..]));
        return true;
    }
}
