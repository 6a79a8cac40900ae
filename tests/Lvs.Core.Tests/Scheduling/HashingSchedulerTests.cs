using Lvs.Core.Scheduling;
using Lvs.Core.Services;
using static Lvs.Core.Tests.Scheduling.SchedulerTestHelpers;

namespace Lvs.Core.Tests.Scheduling;

/// <summary>
/// dh and sh. Expected buckets are hash_32(x, 8) = (x * 0x61C88647) mod 2^32 >> 24, worked out
/// for the addresses used: 192.0.2.10 -> 162, 192.0.2.11 -> 4, 192.0.2.12 -> 102;
/// 198.51.100.1..5 -> 96, 194, 35, 133, 231; 198.51.100.2 + port 40000 -> 102.
/// </summary>
public class HashingSchedulerTests
{
    [Theory]
    // 3 servers tile the 256 buckets A B C A B C ...: bucket b holds server b mod 3.
    [InlineData(0xC000020Au, 3, "A")] // 162 mod 3 = 0
    [InlineData(0xC000020Bu, 3, "B")] // 4 mod 3 = 1
    [InlineData(0xC000020Cu, 3, "A")] // 102 mod 3 = 0
    [InlineData(0xC000020Au, 5, "C")] // 162 mod 5 = 2
    [InlineData(0xC000020Bu, 5, "E")] // 4 mod 5 = 4
    public void Dh_Schedule_BucketOfDestinationAddress(uint vip, int servers, string expected)
    {
        var dh = new DestinationHashingScheduler();
        RealServer[] s = Servers([.. Enumerable.Repeat(1, servers)]);
        dh.OnDestinationsChanged(s);

        Assert.Equal(expected, Letter(dh.Schedule(s, Context with { VirtualAddress = vip })));
    }

    [Fact]
    public void Dh_UnusableServer_NoFallback()
    {
        var dh = new DestinationHashingScheduler();
        RealServer[] s = Servers(1, 1, 1);
        dh.OnDestinationsChanged(s);
        var ctx = Context with { VirtualAddress = 0xC000020Bu }; // -> B

        s[1].Overloaded = true;
        Assert.Null(dh.Schedule(s, ctx));
        s[1].Overloaded = false;
        s[1].Weight = 0;
        Assert.Null(dh.Schedule(s, ctx));
        s[1].Weight = 1;
        s[1].Available = false;
        Assert.Null(dh.Schedule(s, ctx));
    }

    [Fact]
    public void Dh_WeightChanges_EveryDestinationStaysPut()
    {
        var dh = new DestinationHashingScheduler();
        RealServer[] s = Servers(1, 1, 1, 1);
        dh.OnDestinationsChanged(s);
        string before = DhMap(dh, s);

        s[0].Weight = 7;
        s[2].Weight = 3;
        dh.OnDestinationsChanged(s);

        Assert.Equal(before, DhMap(dh, s));
    }

    [Theory]
    // weights 1,2,3 tile the buckets A B B C C C ...: bucket b holds the (b mod 6)th.
    [InlineData(0xC6336401u, "A")] // 96 mod 6 = 0
    [InlineData(0xC6336402u, "B")] // 194 mod 6 = 2
    [InlineData(0xC6336403u, "C")] // 35 mod 6 = 5
    [InlineData(0xC6336404u, "B")] // 133 mod 6 = 1
    [InlineData(0xC6336405u, "C")] // 231 mod 6 = 3
    public void Sh_Schedule_WeightedBucketOfSourceAddress(uint client, string expected)
    {
        var sh = new SourceHashingScheduler();
        RealServer[] s = Servers(1, 2, 3);
        sh.OnDestinationsChanged(s);

        Assert.Equal(expected, Letter(sh.Schedule(s, Context with { ClientAddress = client })));
    }

    [Fact]
    public void Sh_PortFlag_HashesSourcePortForTcpAndUdpOnly()
    {
        RealServer[] s = Servers(1, 2, 3);
        var plain = new SourceHashingScheduler();
        var withPort = new SourceHashingScheduler(SchedulerFlags.Port);
        plain.OnDestinationsChanged(s);
        withPort.OnDestinationsChanged(s);

        // 198.51.100.2:40000: without the port bucket 194 (B), with it 102 mod 6 = 0 (A).
        Assert.Equal("B", Letter(plain.Schedule(s, Context)));
        Assert.Equal("A", Letter(withPort.Schedule(s, Context)));
        Assert.Equal("A", Letter(withPort.Schedule(s, Context with { Protocol = IpProtocol.Udp })));
        Assert.Equal("B", Letter(withPort.Schedule(s, Context with { ClientPort = 0 })));
    }

    [Fact]
    public void Sh_Fallback_WalksFromTwiceTheHashAsTheKernel()
    {
        // 198.51.100.2 hashes to 194 (B). Unusable B: without fallback nothing; with it the
        // kernel's first probe is (roffset + ihash) & 255 with roffset = ihash, bucket 132
        // (132 mod 6 = 0, A) — not 195 (C), which a plain "next bucket" walk would give.
        RealServer[] s = Servers(1, 2, 3);
        var sh = new SourceHashingScheduler();
        var fallback = new SourceHashingScheduler(SchedulerFlags.Fallback);
        sh.OnDestinationsChanged(s);
        fallback.OnDestinationsChanged(s);

        s[1].Overloaded = true;
        Assert.Null(sh.Schedule(s, Context));
        Assert.Equal("A", Letter(fallback.Schedule(s, Context)));

        s[1].Overloaded = false;
        s[1].Weight = 0;
        fallback.OnDestinationsChanged(s);
        s[0].Overloaded = true;
        s[2].Overloaded = true;
        Assert.Null(fallback.Schedule(s, Context));
    }

    [Fact]
    public void Sh_WeightZero_TakesOneBucketEach()
    {
        // ++count >= 0 moves on at once: weights 1,0 tile A B A B ...; 194 is even -> A, 35 odd -> B (unusable).
        var sh = new SourceHashingScheduler();
        RealServer[] s = Servers(1, 0);
        sh.OnDestinationsChanged(s);

        Assert.Equal("A", Letter(sh.Schedule(s, Context with { ClientAddress = 0xC6336402u })));
        Assert.Null(sh.Schedule(s, Context with { ClientAddress = 0xC6336403u }));
    }

    [Fact]
    public void Sh_SameClient_StableAcrossCallsAndOtherServersOverload()
    {
        var sh = new SourceHashingScheduler(SchedulerFlags.Fallback);
        RealServer[] s = Servers(3, 2, 4, 1);
        sh.OnDestinationsChanged(s);
        var first = new Dictionary<uint, RealServer?>();
        for (uint c = 0; c < 500; c++)
        {
            first[c] = sh.Schedule(s, Context with { ClientAddress = 0xC6330000u + (c * 7919) });
        }

        for (int round = 0; round < 3; round++)
        {
            foreach ((uint c, RealServer? d) in first)
            {
                Assert.Same(d, sh.Schedule(s, Context with { ClientAddress = 0xC6330000u + (c * 7919) }));
            }
        }

        // Overload is a flag, not a table change: only D's clients move.
        s[3].Overloaded = true;
        foreach ((uint c, RealServer? d) in first)
        {
            RealServer? now = sh.Schedule(s, Context with { ClientAddress = 0xC6330000u + (c * 7919) });
            if (d != s[3])
            {
                Assert.Same(d, now);
            }
            else
            {
                Assert.NotSame(s[3], now);
            }
        }
    }

    private static string DhMap(DestinationHashingScheduler dh, RealServer[] s) =>
        string.Concat(Enumerable.Range(0, 300).Select(i => Letter(dh.Schedule(s, Context with { VirtualAddress = 0xC0000000u + (uint)(i * 104729) }))));
}
