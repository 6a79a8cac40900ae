using Lvs.Vrrp.Packets;

namespace Lvs.Vrrp;

/// <summary>
/// An instance's counters, written by the VRRP thread and read by anyone (metrics, the control
/// API, the sync daemon): plain 64-bit counters updated with Interlocked.
/// </summary>
public sealed class VrrpCounters
{
    private static readonly int ReasonCount = Enum.GetValues<VrrpDropReason>().Length;
    private readonly long[] _drops = new long[ReasonCount];
    private long _sent;
    private long _received;
    private long _becameMaster;

    public long AdvertsSent => Interlocked.Read(ref _sent);

    /// <summary>Adverts accepted for this instance (after every check).</summary>
    public long AdvertsReceived => Interlocked.Read(ref _received);

    public long BecameMaster => Interlocked.Read(ref _becameMaster);

    public long Drops(VrrpDropReason reason) => Interlocked.Read(ref _drops[(int)reason]);

    /// <summary>Every non-zero drop counter by reason name.</summary>
    public IReadOnlyDictionary<string, long> DropsByReason()
    {
        var result = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (VrrpDropReason r in Enum.GetValues<VrrpDropReason>())
        {
            long n = Drops(r);
            if (r != VrrpDropReason.None && n > 0)
            {
                result[r.ToString()] = n;
            }
        }

        return result;
    }

    internal void Sent() => Interlocked.Increment(ref _sent);

    internal void Received() => Interlocked.Increment(ref _received);

    internal void Master() => Interlocked.Increment(ref _becameMaster);

    internal void Drop(VrrpDropReason reason) => Interlocked.Increment(ref _drops[(int)reason]);
}
