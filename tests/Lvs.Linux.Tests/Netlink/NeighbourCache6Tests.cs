using System.Buffers.Binary;
using System.Net;
using Lvs.Linux.Netlink;

namespace Lvs.Linux.Tests.Netlink;

public sealed class NeighbourCache6Tests
{
    private static readonly Ip6 Server = Ip6.Parse("2001:db8:b::10");
    private static readonly Ip6 Gateway = Ip6.Parse("fe80::fe");
    private static readonly byte[] Mac = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55];

    private static NeighbourInfo Info(Ip6 ip, NeighbourState state, int ifIndex = 3) => new(ifIndex, ip.ToIPAddress(), new MacAddress(Mac), state);

    [Fact]
    public void TryGet6_AfterLearn6_ReturnsMacOnlyOnThatInterfaceAndAddress()
    {
        var cache = new NeighbourCache();

        cache.Learn6(3, Server, Mac);

        Assert.True(cache.TryGet6(3, Server, out var mac));
        Assert.Equal("02:11:22:33:44:55", mac.ToString());
        Assert.False(cache.TryGet6(4, Server, out _));
        Assert.False(cache.TryGet6(3, new Ip6(Server.High, Server.Low + 1), out _));
        Assert.False(cache.TryGet6(3, new Ip6(Server.High + 1, Server.Low), out _));
        Assert.Equal(1, cache.Count6);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void TryGet6_SameLinkLocalOnTwoInterfaces_KeptApart()
    {
        var cache = new NeighbourCache();

        cache.Set6(3, Gateway, MacAddress.FromUInt64(0x02_00_00_00_00_03));
        cache.Set6(4, Gateway, MacAddress.FromUInt64(0x02_00_00_00_00_04));

        Assert.True(cache.TryGet6(3, Gateway, out var onThree));
        Assert.True(cache.TryGet6(4, Gateway, out var onFour));
        Assert.Equal((0x02_00_00_00_00_03UL, 0x02_00_00_00_00_04UL), (onThree.ToUInt64(), onFour.ToUInt64()));
    }

    [Theory]
    [InlineData(NeighbourState.Failed)]
    [InlineData(NeighbourState.Incomplete)]
    [InlineData(NeighbourState.None)]
    public void Apply_FailedOrIncomplete_InvalidatesEntry(NeighbourState state)
    {
        var cache = new NeighbourCache();
        cache.Learn6(3, Server, Mac);

        cache.Apply(Info(Server, state), removed: false);

        Assert.False(cache.TryGet6(3, Server, out _));
        Assert.Equal(0, cache.Count6);
    }

    [Theory]
    [InlineData(NeighbourState.Reachable)]
    [InlineData(NeighbourState.Stale)]
    [InlineData(NeighbourState.Delay)]
    [InlineData(NeighbourState.Probe)]
    [InlineData(NeighbourState.Permanent)]
    [InlineData(NeighbourState.NoArp)]
    public void Apply_UsableStates_AddEntry(NeighbourState state)
    {
        var cache = new NeighbourCache();

        cache.Apply(Info(Gateway, state), removed: false);

        Assert.True(cache.TryGet6(3, Gateway, out var mac));
        Assert.Equal(new MacAddress(Mac), mac);
    }

    [Fact]
    public void Apply_ReachableThenDeletedThenPermanent_FollowsKernel()
    {
        var cache = new NeighbourCache();
        var info = Info(Server, NeighbourState.Reachable);

        cache.Apply(info, removed: false);
        Assert.True(cache.TryGet6(3, Server, out _));

        cache.Apply(info, removed: true);
        Assert.False(cache.TryGet6(3, Server, out _));

        cache.Apply(info with { State = NeighbourState.Permanent }, removed: false);
        Assert.True(cache.TryGet6(3, Server, out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Losses_CountOnlyUsableEntriesLostAndClears()
    {
        var cache = new NeighbourCache();
        cache.Apply(Info(Server, NeighbourState.Incomplete), removed: false);
        cache.Apply(Info(Server, NeighbourState.Failed), removed: false);
        Assert.Equal(0, cache.Losses); // never usable: nothing was lost

        cache.Learn6(3, Server, Mac);
        cache.Learn(3, 0xC633_6402, Mac);
        cache.Apply(Info(Server, NeighbourState.Reachable), removed: true);
        cache.Apply(Info(Server, NeighbourState.Reachable), removed: true);
        Assert.Equal(1, cache.Losses);

        cache.Invalidate(3, 0xC633_6402);
        Assert.Equal(2, cache.Losses);

        cache.Clear();
        Assert.Equal(3, cache.Losses);
    }

    [Fact]
    public void Clear_DropsIPv6AndIPv4Entries()
    {
        var cache = new NeighbourCache();
        cache.Learn6(3, Server, Mac);
        cache.Learn(3, 0xC633_6402, Mac);

        cache.Clear();

        Assert.False(cache.TryGet6(3, Server, out _));
        Assert.False(cache.TryGet(3, 0xC633_6402, out _));
        Assert.Equal((0, 0), (cache.Count, cache.Count6));
    }

    [Fact]
    public void Set6_ManyEntriesWithChurn_AllLiveOnesFound()
    {
        var cache = new NeighbourCache();
        for (var i = 1UL; i <= 20_000; i++)
        {
            cache.Set6(1 + (int)(i % 3), new Ip6(Server.High, i), MacAddress.FromUInt64(i));
            if (i % 5 == 0)
            {
                cache.Invalidate6(1 + (int)((i - 1) % 3), new Ip6(Server.High, i - 1));
            }
        }

        var expected = 0;
        for (var i = 1UL; i <= 20_000; i++)
        {
            var live = (i + 1) % 5 != 0;
            expected += live ? 1 : 0;
            Assert.Equal(live, cache.TryGet6(1 + (int)(i % 3), new Ip6(Server.High, i), out var mac));
            if (live)
            {
                Assert.Equal(i, mac.ToUInt64());
            }
        }

        Assert.Equal(expected, cache.Count6);
    }

    [Fact]
    public async Task TryGet6_WhileWriterGrowsTable_NeverSeesWrongMac()
    {
        var cache = new NeighbourCache();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var writer = Task.Run(() =>
        {
            for (var i = 1UL; i <= 50_000 && !stop.IsCancellationRequested; i++)
            {
                cache.Set6(1, new Ip6(i * 7919, i), MacAddress.FromUInt64(i));
            }
        });

        var wrong = 0;
        while (!writer.IsCompleted)
        {
            for (var i = 1UL; i <= 50_000; i += 97)
            {
                if (cache.TryGet6(1, new Ip6(i * 7919, i), out var mac) && mac.ToUInt64() != i)
                {
                    wrong++;
                }
            }
        }

        await writer;
        Assert.Equal(0, wrong);
        Assert.True(cache.TryGet6(1, new Ip6(50_000UL * 7919, 50_000), out _));
    }

    [Fact]
    public void TryGet6_SteadyState_AllocatesNothing()
    {
        var cache = new NeighbourCache();
        cache.Learn6(3, Server, Mac);
        cache.Learn6(3, Gateway, Mac);
        cache.TryGet6(3, Server, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var found = 0;
        for (var i = 0; i < 10_000; i++)
        {
            found += cache.TryGet6(3, (i & 1) == 0 ? Server : Gateway, out _) ? 1 : 0;
            found += cache.TryGet6(3, new Ip6(Server.High, (ulong)i + 1000), out _) ? 1 : 0;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(10_000, found);
    }

    [Fact]
    public void TryBeginSolicit6_SameAddress_AtMostOncePerSecond()
    {
        var cache = new NeighbourCache();

        Assert.True(cache.TryBeginSolicit6(3, Server, 10_000));
        Assert.False(cache.TryBeginSolicit6(3, Server, 10_999));
        Assert.True(cache.TryBeginSolicit6(4, Server, 10_500));
        Assert.True(cache.TryBeginSolicit6(3, Gateway, 10_500));
        Assert.True(cache.TryBeginSolicit6(3, Server, 11_000));

        // IPv4 requests are limited separately.
        Assert.True(cache.TryBeginRequest(3, 0xC633_6402, 11_000));
    }

    [Fact]
    public void TryBeginSolicit6_KernelDeletedTheEntryBeingResolved_AllowedAgainAtOnce()
    {
        var cache = new NeighbourCache();
        Assert.True(cache.TryBeginSolicit6(3, Server, 10_000));
        Assert.True(cache.TryBeginRequest(3, 0xC633_6402, 10_000));

        // A flush removed the INCOMPLETE entries the kernel was resolving for us.
        cache.Apply(Info(Server, NeighbourState.Incomplete), removed: true);
        cache.Apply(new NeighbourInfo(3, IPAddress.Parse("198.51.100.2"), default, NeighbourState.Incomplete), removed: true);

        Assert.True(cache.TryBeginSolicit6(3, Server, 10_010));
        Assert.True(cache.TryBeginRequest(3, 0xC633_6402, 10_010));
        // A state change is not a removal: the limit stays.
        cache.Apply(Info(Server, NeighbourState.Failed), removed: false);
        Assert.False(cache.TryBeginSolicit6(3, Server, 10_020));
    }

    [Fact]
    public void BuildNeighbourSolicitation_WritesValidSolicitation()
    {
        var frame = new byte[NeighbourCache.NeighbourSolicitationLength + 10];
        var source = Ip6.Parse("2001:db8:b::1");
        var target = Ip6.Parse("2001:db8:b::12:3456");

        var length = NeighbourCache.BuildNeighbourSolicitation(frame, new MacAddress(Mac), source, target);

        Assert.Equal(86, length);
        Assert.Equal("3333ff123456", Convert.ToHexStringLower(frame.AsSpan(0, 6)));
        Assert.Equal(Mac, frame[6..12]);
        Assert.Equal(0x86DD, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)));
        var ip = frame.AsSpan(14);
        Assert.Equal(0x60, ip[0]);
        Assert.Equal(32, BinaryPrimitives.ReadUInt16BigEndian(ip[4..]));
        Assert.Equal((58, 255), (ip[6], ip[7]));
        Assert.Equal(source, new Ip6(ip[8..]));
        Assert.Equal(Ip6.Parse("ff02::1:ff12:3456"), new Ip6(ip[24..]));
        Assert.Equal(NeighbourCache.SolicitedNodeGroup(target), new Ip6(ip[24..]));
        var icmp = ip[40..72];
        Assert.Equal((135, 0), (icmp[0], icmp[1]));
        Assert.Equal(target, new Ip6(icmp[8..]));
        Assert.Equal((1, 1), (icmp[24], icmp[25]));
        Assert.Equal(Mac, icmp[26..32].ToArray());

        // The one's complement sum over pseudo-header and message, checksum included, is 0xffff.
        var pseudo = new byte[40 + 32];
        ip[8..40].CopyTo(pseudo);
        BinaryPrimitives.WriteUInt32BigEndian(pseudo.AsSpan(32), 32);
        pseudo[39] = 58;
        icmp.CopyTo(pseudo.AsSpan(40));
        uint sum = 0;
        for (var i = 0; i < pseudo.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(pseudo.AsSpan(i));
        }

        while (sum >> 16 != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        Assert.Equal(0xFFFFu, sum);
        Assert.Throws<ArgumentException>(() => NeighbourCache.BuildNeighbourSolicitation(new byte[85], new MacAddress(Mac), source, target));
    }
}
