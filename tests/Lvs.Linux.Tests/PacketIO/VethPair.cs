using System.Net;
using Lvs.Linux.PacketIO;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>
/// Two fresh namespaces "{prefix}-a" and "{prefix}-b" joined only by a veth pair:
/// veth0 (198.51.100.1/24) in A, veth1 (198.51.100.2/24) in B. Removed on Dispose.
/// </summary>
internal sealed class VethPair : IDisposable
{
    public static readonly IPAddress AddressA = IPAddress.Parse("198.51.100.1");
    public static readonly IPAddress AddressB = IPAddress.Parse("198.51.100.2");

    private VethPair(TestNamespace a, TestNamespace b)
    {
        A = a;
        B = b;
    }

    public TestNamespace A { get; }

    public TestNamespace B { get; }

    public static VethPair Create()
    {
        string prefix = TestNamespace.NewPrefix();
        var a = TestNamespace.Create(prefix, "a");
        TestNamespace? b = null;
        try
        {
            b = TestNamespace.Create(prefix, "b");
            TestNamespace.LinkVeth(a, "veth0", "198.51.100.1/24", b, "veth1", "198.51.100.2/24");
            a.WaitOperUp("veth0");
            b.WaitOperUp("veth1");
            return new VethPair(a, b);
        }
        catch
        {
            b?.Dispose();
            a.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        B.Dispose();
        A.Dispose();
    }
}

/// <summary>Records what a ring hands over; copies bytes only when asked (the TCP test sees megabytes).</summary>
internal struct Capture(bool keepBytes) : IFrameHandler
{
    public List<(FrameInfo Info, int Length, byte[]? Bytes)> Frames { get; } = [];

    public readonly void OnFrame(Span<byte> frame, ref FrameInfo info) =>
        Frames.Add((info, frame.Length, keepBytes ? frame.ToArray() : null));

    /// <summary>Drains the ring until <paramref name="done"/> holds or <paramref name="timeout"/> passes.</summary>
    public static void DrainUntil(PacketRing ring, ref Capture capture, Func<bool> done, TimeSpan timeout)
    {
        using var poll = new PollSet(1);
        int index = poll.Add(ring.Fd);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            ring.Drain(ref capture, 4096);
            if (done())
            {
                return;
            }

            if (poll.Wait(20) > 0 && !poll.IsReadable(index))
            {
                throw new InvalidOperationException("poll woke without the ring readable");
            }
        }
    }
}
