using System.Diagnostics;
using Lvs.Core.Forwarding;
using Lvs.Core.Tests.Forwarding;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests;

public class DirectorFuzzTests
{
    [Fact]
    public void Process_MillionMutatedAndRandomFrames_NeverThrowsAndDropsHaveReasons()
    {
        var director = new Director(GoldenPackets.CreateServices());
        byte[][] seeds = [.. GoldenPackets.All.Select(g => g.Input)];
        var random = new Random(20261121);
        byte[] buffer = new byte[256];
        var stopwatch = Stopwatch.StartNew();
        int forwarded = 0, dropped = 0;

        for (int n = 0; n < 1_000_000; n++)
        {
            int length = n % 4 == 0 ? RandomFrame(random, buffer) : Mutate(random, seeds[random.Next(seeds.Length)], buffer);
            bool partial = random.Next(4) == 0;
            long now = n / 10;

            Verdict v = director.Process(buffer.AsSpan(0, length), new PacketMeta { ChecksumPartial = partial }, now);

            if (v.Kind == VerdictKind.Drop)
            {
                Assert.NotEqual(DropReason.None, v.Reason);
                dropped++;
            }
            else if (v.Kind == VerdictKind.Forward)
            {
                forwarded++;
            }

            if (n % 1_000 == 0)
            {
                director.Tick(now);
            }
        }

        // The mix must exercise both the parsers' rejections and the forwarding path.
        Assert.True(forwarded > 10_000, $"forwarded {forwarded}");
        Assert.True(dropped > 10_000, $"dropped {dropped}");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");
    }

    private static int RandomFrame(Random random, byte[] buffer)
    {
        int length = random.Next(0, 201);
        random.NextBytes(buffer.AsSpan(0, length));
        if (length >= 14 && random.Next(2) == 0)
        {
            buffer[12] = 0x08; // mostly IPv4 so the IP parser, not the EtherType check, sees the noise
            buffer[13] = 0x00;
            if (length >= 15 && random.Next(2) == 0)
            {
                buffer[14] = (byte)(0x40 | random.Next(16));
            }
        }

        return length;
    }

    private static int Mutate(Random random, byte[] seed, byte[] buffer)
    {
        seed.CopyTo(buffer, 0);
        int length = seed.Length;
        int edits = random.Next(0, 4);
        for (int e = 0; e < edits; e++)
        {
            switch (random.Next(3))
            {
                case 0 when length > 0: // flip a byte
                    buffer[random.Next(length)] ^= (byte)random.Next(1, 256);
                    break;
                case 1 when length < buffer.Length: // insert a byte
                    int at = random.Next(length + 1);
                    Array.Copy(buffer, at, buffer, at + 1, length - at);
                    buffer[at] = (byte)random.Next(256);
                    length++;
                    break;
                default: // truncate
                    length = random.Next(length + 1);
                    break;
            }
        }

        // Half the time, repair the IP header checksum so mutations reach the transport checks.
        if (length >= PacketBuilder.EthernetLength + 20 && random.Next(2) == 0 && (buffer[14] & 0x0F) == 5)
        {
            byte[] copy = buffer[..length];
            PacketBuilder.FillIpChecksum(copy);
            copy.CopyTo(buffer, 0);
        }

        return length;
    }
}
