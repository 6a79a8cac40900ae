namespace Lvs.Agent.Decap;

/// <summary>
/// Per-reason packet counters of one receive loop. Written only by the loop's thread, and read
/// (for the log) by that thread too, so plain longs suffice.
/// </summary>
public sealed class DropCounters
{
    private readonly long[] _byResult = new long[DecapResultNames.Count];

    /// <summary>Injection attempts the TUN device refused.</summary>
    public long WriteFailed { get; private set; }

    /// <summary>Reads longer than the receive buffer.</summary>
    public long ReceiveTruncated { get; set; }

    public long this[DecapResult result] => _byResult[(int)result];

    /// <summary>Everything dropped for any reason.</summary>
    public long Dropped
    {
        get
        {
            long sum = WriteFailed + ReceiveTruncated;
            for (int i = 1; i < _byResult.Length; i++)
            {
                sum += _byResult[i];
            }

            return sum;
        }
    }

    public void Count(DecapResult result) => _byResult[(int)result]++;

    public void CountWriteFailed() => WriteFailed++;

    /// <summary>One (reason, count) pair per non-zero drop reason, then delivered (always).</summary>
    public IEnumerable<(string Reason, long Count)> Lines()
    {
        for (int i = 1; i < _byResult.Length; i++)
        {
            if (_byResult[i] != 0)
            {
                yield return (((DecapResult)i).Name(), _byResult[i]);
            }
        }

        if (ReceiveTruncated != 0)
        {
            yield return ("receive-truncated", ReceiveTruncated);
        }

        if (WriteFailed != 0)
        {
            yield return ("tun-write-failed", WriteFailed);
        }

        yield return (DecapResult.Deliver.Name(), _byResult[0]);
    }
}
