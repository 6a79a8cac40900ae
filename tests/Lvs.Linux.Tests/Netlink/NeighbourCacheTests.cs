using System.Net;
using Lvs.Linux.Netlink;

namespace Lvs.Linux.Tests.Netlink;

public sealed class NeighbourCacheTests
{
    private static readonly uint Ip = RoutingView.ToUInt32(IPAddress.Parse("198.51.100.2"));
    private static readonly byte[] Mac = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];

    [Fact]
    public void TryGet_AfterLearn_ReturnsMacOnlyOnThatInterface()
    {
        var cache = new NeighbourCache();

        cache.Learn(3, Ip, Mac);

        Assert.True(cache.TryGet(3, Ip, out var mac));
        Assert.Equal("02:11:22:33:44:55", mac.ToString());
        Assert.False(cache.TryGet(4, Ip, out _));
        Assert.False(cache.TryGet(3, Ip + 1, out _));
    }

    [Theory]
    [InlineData(NeighbourState.Failed)]
    [InlineData(NeighbourState.Incomplete)]
    public void Apply_FailedOrIncomplete_InvalidatesEntry(NeighbourState state)
    {
        var cache = new NeighbourCache();
        cache.Learn(3, Ip, Mac);

        cache.Apply(new NeighbourInfo(3, IPAddress.Parse("198.51.100.2"), new MacAddress(Mac), state), removed: false);

        Assert.False(cache.TryGet(3, Ip, out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Apply_ReachableThenDeleted_AddsThenRemoves()
    {
        var cache = new NeighbourCache();
        var info = new NeighbourInfo(3, IPAddress.Parse("198.51.100.2"), new MacAddress(Mac), NeighbourState.Stale);

        cache.Apply(info, removed: false);
        Assert.True(cache.TryGet(3, Ip, out _));

        cache.Apply(info, removed: true);
        Assert.False(cache.TryGet(3, Ip, out _));

        cache.Apply(info with { State = NeighbourState.Permanent }, removed: false);
        Assert.True(cache.TryGet(3, Ip, out _));
    }

    [Fact]
    public void Learn_ManyEntriesWithChurn_AllLiveOnesFound()
    {
        var cache = new NeighbourCache();
        for (uint i = 1; i <= 20_000; i++)
        {
            cache.Set(1 + (int)(i % 3), i, MacAddress.FromUInt64(i));
            if (i % 2 == 0)
            {
                cache.Invalidate(1 + (int)(i % 3), i);
            }
        }

        Assert.Equal(10_000, cache.Count);
        for (uint i = 1; i <= 20_000; i++)
        {
            var found = cache.TryGet(1 + (int)(i % 3), i, out var mac);
            Assert.Equal(i % 2 == 1, found);
            if (found)
            {
                Assert.Equal(i, mac.ToUInt64());
            }
        }
    }

    [Fact]
    public async Task TryGet_WhileWriterGrowsTable_NeverSeesWrongMac()
    {
        var cache = new NeighbourCache();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var writer = Task.Run(() =>
        {
            for (uint i = 1; i <= 50_000 && !stop.IsCancellationRequested; i++)
            {
                cache.Set(1, i, MacAddress.FromUInt64(i * 7));
            }
        });

        var wrong = 0;
        while (!writer.IsCompleted)
        {
            for (uint i = 1; i <= 50_000; i += 97)
            {
                if (cache.TryGet(1, i, out var mac))
                {
                    wrong += mac.ToUInt64() == i * 7 ? 0 : 1;
                }
            }
        }

        await writer;
        Assert.Equal(0, wrong);
        Assert.True(cache.TryGet(1, 50_000, out _));
    }

    [Fact]
    public void TryGet_SteadyState_AllocatesNothing()
    {
        var cache = new NeighbourCache();
        cache.Learn(3, Ip, Mac);
        cache.TryGet(3, Ip, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var found = 0;
        for (var i = 0; i < 10_000; i++)
        {
            found += cache.TryGet(3, Ip, out _) ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000, found);
    }

    [Fact]
    public void TryBeginRequest_SameAddress_AtMostOncePerSecond()
    {
        var cache = new NeighbourCache();

        Assert.True(cache.TryBeginRequest(3, Ip, 10_000));
        Assert.False(cache.TryBeginRequest(3, Ip, 10_500));
        Assert.True(cache.TryBeginRequest(3, Ip + 1, 10_500));
        Assert.True(cache.TryBeginRequest(3, Ip, 11_000));
    }

    [Fact]
    public void BuildArpRequest_WritesBroadcastRequest()
    {
        var frame = new byte[64];

        var written = NeighbourCache.BuildArpRequest(frame, new MacAddress(Mac), RoutingView.ToUInt32(IPAddress.Parse("198.51.100.1")), Ip);

        Assert.Equal(42, written);
        Assert.Equal(
            "FFFFFFFFFFFF" + "021122334455" + "0806"
            + "0001" + "0800" + "06" + "04" + "0001"
            + "021122334455" + "C6336401"
            + "000000000000" + "C6336402",
            Convert.ToHexString(frame, 0, 42));
    }

    [Fact]
    public void MacAddress_ParseFormatRoundTrip()
    {
        Assert.True(MacAddress.TryParse("02:aB:00:ff:10:01", out var mac));
        Assert.Equal("02:ab:00:ff:10:01", mac.ToString());
        Assert.Equal(6, System.Runtime.CompilerServices.Unsafe.SizeOf<MacAddress>());
        Assert.False(MacAddress.TryParse("02:ab:00:ff:10", out _));
        Assert.False(MacAddress.TryParse("02:ab:00:ff:10:zz", out _));
        Assert.True(MacAddress.Broadcast == MacAddress.FromUInt64(0xFFFFFFFFFFFF));
    }
}
