using System.Buffers.Binary;
using Lvs.Agent.Decap;
using Lvs.Core.Packets;
using static Lvs.Agent.Tests.Decap.TestPackets6;

namespace Lvs.Agent.Tests.Decap;

public class Decapsulator6FuzzTests
{
    private static readonly Ipv6Address[] Vips6 = [Vip];
    private static readonly uint[] Vips4 = [TestPackets.Vip];

    private static readonly byte[][] Seeds =
    [
        Inner6(Vip),
        Inner6WithOptions(Vip),
        Ip6InIp4(Inner6(Vip)),
        Ip6InIp4(Inner6WithOptions(Vip)),
        TestPackets.Inner(TestPackets.Vip),
        Ip6InIp6OnWire(Inner6(Vip)),
    ];

    [Fact]
    public void Decapsulate_100kMutatedInputsOnEveryPath_NeverThrowsAndDeliversOnlyValidInner()
    {
        var random = new Random(20250611); // scripted randomness: a failure replays
        var buffer = new byte[2048];
        int delivered6 = 0;
        int delivered4 = 0;
        for (int i = 0; i < 100_000; i++)
        {
            int length;
            if (i % 10 == 0)
            {
                length = random.Next(0, 200);
                random.NextBytes(buffer.AsSpan(0, length));
            }
            else
            {
                byte[] seed = Seeds[random.Next(Seeds.Length)];
                seed.CopyTo(buffer, 0);
                length = seed.Length;
                int flips = random.Next(1, 4);
                for (int f = 0; f < flips; f++)
                {
                    buffer[random.Next(length)] ^= (byte)(1 << random.Next(8));
                }

                if (random.Next(4) == 0)
                {
                    length = random.Next(0, length + 1);
                }
            }

            Span<byte> packet = buffer.AsSpan(0, length);
            foreach (DecapPath path in Enum.GetValues<DecapPath>())
            {
                DecapResult result = Decapsulator.Decapsulate(path, packet, Vips4, Vips6, out int offset, out int innerLength);
                Assert.True(Enum.IsDefined(result));
                if (result != DecapResult.Deliver)
                {
                    continue;
                }

                Assert.InRange(offset, 0, packet.Length);
                Assert.InRange(innerLength, 20, packet.Length - offset);
                Span<byte> inner = packet.Slice(offset, innerLength);
                if (path is DecapPath.Ip6InIp6 or DecapPath.Ip6InIp4)
                {
                    delivered6++;
                    Assert.Equal(6, inner[0] >> 4);
                    Assert.Equal(innerLength, 40 + BinaryPrimitives.ReadUInt16BigEndian(inner[4..]));
                    Assert.Equal(Vip, Ipv6Address.ReadFrom(inner[24..]));
                    Assert.Equal(Ipv6WalkResult.Ok, Ipv6ExtensionHeaders.Walk(inner, out _));
                }
                else
                {
                    delivered4++;
                    Assert.Equal(4, inner[0] >> 4);
                    Assert.Equal(innerLength, BinaryPrimitives.ReadUInt16BigEndian(inner[2..]));
                    Assert.Equal(TestPackets.Vip, BinaryPrimitives.ReadUInt32BigEndian(inner[16..]));
                }
            }
        }

        // Payload-byte mutations keep many packets valid: the loop really exercised delivery.
        Assert.True(delivered6 > 1000, $"only {delivered6} IPv6 inner packets delivered");
        Assert.True(delivered4 > 1000, $"only {delivered4} IPv4 inner packets delivered");
    }

    [Fact]
    public void Decapsulate_ValidIpv6Paths_AllocateNothing()
    {
        byte[] inner6 = Inner6(Vip);
        byte[] sixInFour = Ip6InIp4(Inner6WithOptions(Vip));
        byte[] inner4 = TestPackets.Inner(TestPackets.Vip);
        int failures = 0;
        for (int i = 0; i < 100; i++)
        {
            Run();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++)
        {
            Run();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Equal(0, failures);

        // No assertion inside the measured loop: xunit's Assert allocates.
        void Run()
        {
            if (Decapsulator.Decapsulate(DecapPath.Ip6InIp6, inner6, Vips4, Vips6, out _, out _) != DecapResult.Deliver
                || Decapsulator.Decapsulate(DecapPath.Ip6InIp4, sixInFour, Vips4, Vips6, out _, out _) != DecapResult.Deliver
                || Decapsulator.Decapsulate(DecapPath.Ip4InIp6, inner4, Vips4, Vips6, out _, out _) != DecapResult.Deliver)
            {
                failures++;
            }
        }
    }
}
