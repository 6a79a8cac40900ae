using Lvs.Core.Forwarding;

namespace Lvs.Core.Tests.TestSupport;

/// <summary>
/// An <see cref="IFrameSink"/> that keeps a copy of every committed packet, so tests can look at what
/// an encoder sent. A capacity bounds how many packets it accepts before it reports no room.
/// </summary>
public struct CollectingSink : IFrameSink
{
    private readonly byte[] _slot = new byte[70_000];
    private readonly int _capacity;
    private int _reserved = -1;

    public CollectingSink()
        : this(int.MaxValue)
    {
    }

    public CollectingSink(int capacity) => _capacity = capacity;

    public List<byte[]> Packets { get; } = [];

    /// <summary>How many times <see cref="Reserve"/> refused.</summary>
    public int Refused { get; private set; }

    public Span<byte> Reserve(int ipLength)
    {
        if (Packets.Count >= _capacity)
        {
            Refused++;
            return default;
        }

        // Garbage, not zeros, so a field the encoder forgets to write shows up.
        _slot.AsSpan(0, ipLength).Fill(0xA5);
        _reserved = ipLength;
        return _slot.AsSpan(0, ipLength);
    }

    public void Commit(int ipLength)
    {
        if (ipLength != _reserved)
        {
            throw new InvalidOperationException($"committed {ipLength} bytes after reserving {_reserved}");
        }

        Packets.Add(_slot[..ipLength]);
        _reserved = -1;
    }
}
