using Lvs.Daemon.DataPath;
using Lvs.Linux.PacketIO;

namespace Lvs.Daemon.Tests.DataPath;

public class PendingFramesTests
{
    private struct Release(uint resolved) : PendingFrames.IPendingRelease
    {
        public int Sent;
        public int Expired;
        public byte LastFirstByte;

        public bool TryRelease(Span<byte> frame, in PendingFrames.Entry entry)
        {
            if (entry.NextHop != resolved)
            {
                return false;
            }

            Sent++;
            LastFirstByte = frame[0];
            return true;
        }

        public void Expire(in PendingFrames.Entry entry) => Expired++;
    }

    [Fact]
    public void Service_ReleasesResolvedKeepsOthersExpiresOld()
    {
        var pending = new PendingFrames(capacity: 4, frameSize: 128);
        Assert.True(pending.TryAdd([1, 2, 3], default(VirtioNetHeader), 2, nextHop: 10, now: 0));
        Assert.True(pending.TryAdd([7, 8], default(VirtioNetHeader), 2, nextHop: 20, now: 0));

        var release = new Release(resolved: 20);
        pending.Service(now: 10, ref release);
        Assert.Equal((1, 0, (byte)7), (release.Sent, release.Expired, release.LastFirstByte));
        Assert.Equal(1, pending.Count);

        var later = new Release(resolved: 99);
        pending.Service(now: PendingFrames.MaxWaitMs + 1, ref later);
        Assert.Equal((0, 1), (later.Sent, later.Expired));
        Assert.Equal(0, pending.Count);
    }

    [Fact]
    public void TryAdd_FullOrTooBig_Refused()
    {
        var pending = new PendingFrames(capacity: 1, frameSize: 4);
        Assert.False(pending.TryAdd([1, 2, 3, 4, 5], default(VirtioNetHeader), 1, 1, 0));
        Assert.True(pending.TryAdd([1], default(VirtioNetHeader), 1, 1, 0));
        Assert.False(pending.TryAdd([1], default(VirtioNetHeader), 1, 1, 0));
    }

    [Fact]
    public void Service_AllocatesNothing()
    {
        var pending = new PendingFrames(capacity: 8, frameSize: 64);
        var release = new Release(resolved: 0);
        for (int i = 0; i < 8; i++)
        {
            pending.TryAdd([1], default(VirtioNetHeader), 1, (uint)i + 1, 0);
        }

        pending.Service(1, ref release); // warm up
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            pending.Service(2, ref release);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
