using System.Diagnostics;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.Forwarding;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests;

public class DirectorFuzzTests
{
    [Fact]
    public void Process_MillionMutatedAndRandomFrames_NeverThrowsAndDropsHaveReasons()
    {
        var director = new Director(GoldenPackets.CreateAllServices());
        byte[][] seeds = Seeds();
        var random = new Random(20261121);
        byte[] buffer = new byte[256];
        byte[] scratch = new byte[65536 + 128];
        var sink = new DiscardingSink(new byte[70_000]);
        ushort ipId = 0;
        int[] mtus = [68, 576, 1500];
        var stopwatch = Stopwatch.StartNew();
        int forwarded = 0, dropped = 0, tunnelled = 0, icmpForwarded = 0;

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
                icmpForwarded += length > 23 && buffer[23] == 1 ? 1 : 0;
            }
            else if (v.Kind == VerdictKind.Tunnel)
            {
                // What the worker does next: the encoder must cope with whatever the director let through.
                Span<byte> inner = buffer.AsSpan(PacketBuilder.EthernetLength, ((buffer[16] << 8) | buffer[17]));
                TunnelResult r = TunnelEncoder.Send(ref sink, inner, partial, 0, v.Tunnel, GoldenPackets.DirectorAddress, v.NextHop.V4,
                    mtus[random.Next(mtus.Length)], ref ipId, scratch);
                Assert.NotEqual(TunnelOutcome.NoBuffer, r.Outcome);
                tunnelled++;
            }

            if (n % 1_000 == 0)
            {
                director.Tick(now);
            }
        }

        // The mix must exercise both the parsers' rejections and the forwarding path.
        Assert.True(forwarded > 10_000, $"forwarded {forwarded}");
        Assert.True(dropped > 10_000, $"dropped {dropped}");
        Assert.True(tunnelled > 10_000, $"tunnelled {tunnelled}");
        Assert.True(icmpForwarded > 1_000, $"ICMP errors forwarded {icmpForwarded}");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20), $"took {stopwatch.Elapsed}");
    }

    /// <summary>The NAT, DR and TUN goldens, and ICMP errors about their connections (NAT both ways, DR, TUN).</summary>
    private static byte[][] Seeds()
    {
        uint client = GoldenPackets.ClientAddress, router = Ipv4.Parse("198.51.100.1");
        byte[] natReply = PacketBuilder.Quote(GoldenPackets.TcpSynAck.Output);
        byte[] natToServer = PacketBuilder.Quote(GoldenPackets.UdpRequest.Output);
        byte[] drReply = PacketBuilder.Quote(PacketBuilder.Tcp(GoldenPackets.DrVipAddress, 80, client, 40000, TcpSegment.Ack));
        byte[] tunReply = PacketBuilder.Quote(PacketBuilder.Tcp(GoldenPackets.TunVipAddress, 80, client, 40000, TcpSegment.Ack));
        return
        [
            .. GoldenPackets.All.Select(g => g.Input),
            .. GoldenPackets.AllDirectReturn.Select(g => g.Input),
            Convert.FromHexString(GoldenPackets.TunSynInputHex),
            PacketBuilder.Tcp(client, 40000, GoldenPackets.TunVipAddress, 80, TcpSegment.Psh | TcpSegment.Ack, payload: new byte[180]),
            PacketBuilder.Udp(client, 5353, GoldenPackets.TunVipAddress, 80, new byte[50]),
            PacketBuilder.IcmpError(router, GoldenPackets.VipAddress, 3, 4, natReply, rest: 1400),
            PacketBuilder.IcmpError(GoldenPackets.RealServerAddress, client, 3, 3, natToServer),
            PacketBuilder.IcmpError(router, GoldenPackets.DrVipAddress, 11, 0, drReply),
            PacketBuilder.IcmpError(router, GoldenPackets.TunVipAddress, 3, 4, tunReply, rest: 1280),
        ];
    }

    /// <summary>Accepts every packet and keeps none (the fuzz checks only that nothing throws).</summary>
    private readonly struct DiscardingSink(byte[] slot) : IFrameSink
    {
        public Span<byte> Reserve(int ipLength) => slot.AsSpan(0, ipLength);

        public void Commit(int ipLength)
        {
        }
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
