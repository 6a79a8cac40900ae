using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Lvs.Linux.PacketIO;
using Lvs.Linux.PacketIO.Xdp;
using Xunit.Abstractions;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>
/// A bounded rx→tx measurement in namespaces: B floods 60-byte UDP frames to the VIP through an
/// AF_PACKET sender; A receives them, rewrites the destination MAC and transmits them back out of
/// veth0 — once through our XDP program and an AF_XDP socket, once through PacketRing/PacketSender
/// with the nftables ingress drop lvsd uses, alternating. Prints frames/s; asserts only that frames
/// flowed and every received frame was sent or counted. Figures depend on the machine's load.
/// </summary>
public class XskThroughputTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(2);
    private static readonly byte[] Elsewhere = [0x02, 0, 0, 0, 0, 0x99];

    [RootFact]
    public void Forward_UdpFlood_XskAndPacketRingRatesPrinted()
    {
        var results = new List<string>();
        for (int round = 0; round < 2; round++)
        {
            results.Add(MeasureXsk(XdpMode.Native));
            results.Add(MeasurePacketRing());
        }

        results.Add(MeasureXsk(XdpMode.Generic));
        results.Add($"load average (1/5/15 min): {File.ReadAllText("/proc/loadavg").Trim()} on {Environment.ProcessorCount} CPUs");
        foreach (var line in results)
        {
            output.WriteLine(line);
            Console.WriteLine(line);
        }
    }

    private static string MeasureXsk(XdpMode mode)
    {
        using var lab = XdpLab.Create(mode);
        lab.Program.AddService(XdpLab.Vip, 9999, ProtocolType.Udp);
        var forwarder = new XskForwarder(lab.Socket);
        var (sent, seconds, allocated) = Flood(lab.Pair, () =>
        {
            int n = lab.Socket.Drain(ref forwarder, 256);
            lab.Socket.Flush();
            return n;
        }, lab.Socket.Fd);
        var s = lab.Socket.ReadStatistics();
        Assert.True(s.RxFrames > 0, "no frame reached the socket");

        // Steady state allocates nothing per frame (a one-off of a few bytes would still pass).
        Assert.True(allocated < (long)s.RxFrames, $"{allocated} bytes allocated for {s.RxFrames} frames");
        Assert.Equal(s.RxFrames, s.TxFrames + (ulong)lab.Socket.Queued + forwarder.Dropped);
        return $"xdp-{mode.ToString().ToLowerInvariant(),-7} offered {sent / seconds,10:N0}/s  received {s.RxFrames / seconds,10:N0}/s  allocated {allocated} B  " +
            $"forwarded {s.TxFrames / seconds,10:N0}/s  kernel drops: rx_ring_full {s.RxRingFull}, rx_dropped {s.RxDropped}, fill_empty {s.RxFillRingEmpty}; tx no-frame {forwarder.Dropped}";
    }

    private static string MeasurePacketRing()
    {
        using var pair = VethPair.Create();
        pair.A.Ip("addr", "add", "192.0.2.10/32", "dev", "veth0");
        pair.B.Ip("route", "add", "192.0.2.0/24", "via", "198.51.100.1", "dev", "veth1");
        string rules = "table netdev lvsbench {\n chain steer {\n  type filter hook ingress device \"veth0\" priority -500; policy accept;\n" +
            "  ip daddr 192.0.2.10 udp dport 9999 drop\n }\n}\n";
        string file = Path.Combine(Path.GetTempPath(), $"{pair.A.Name}.nft");
        File.WriteAllText(file, rules);
        try
        {
            pair.A.Exec("nft", "-f", file);
        }
        finally
        {
            File.Delete(file);
        }

        using var ring = NetNs.Run(pair.A.Name, () => PacketRing.Open("veth0"));
        using var tx = NetNs.Run(pair.A.Name, () => PacketSender.Open("veth0"));
        var forwarder = new RingForwarder(tx);
        var (sent, seconds, _) = Flood(pair, () =>
        {
            int n = ring.Drain(ref forwarder, 256);
            tx.Flush();
            return n;
        }, ring.Fd);
        var r = ring.ReadStatistics();
        var t = tx.ReadStatistics();
        Assert.True(forwarder.Received > 0, "no frame reached the ring");
        return $"packet       offered {sent / seconds,10:N0}/s  received {forwarder.Received / seconds,10:N0}/s  " +
            $"forwarded {t.FramesSent / seconds,10:N0}/s  kernel drops: ring {r.Drops}; tx dropped {t.DroppedNoBuffers + t.DroppedOther}";
    }

    /// <summary>
    /// Runs B's flood for <see cref="Phase"/> while <paramref name="step"/> forwards on this thread;
    /// returns the frames B sent, the seconds measured and the bytes this thread allocated meanwhile.
    /// </summary>
    private static (ulong Sent, double Seconds, long Allocated) Flood(VethPair pair, Func<int> step, int fd)
    {
        byte[] macA = pair.A.MacOf("veth0"), macB = pair.B.MacOf("veth1");
        byte[] frame = TestFrames.Udp(macB, macA, VethPair.AddressB, XdpLab.Vip, 40000, 9999, new byte[18], TestFrames.Checksum.Full);
        using var stop = new ManualResetEventSlim();
        var generator = Task.Run(() => NetNs.Run(pair.B.Name, () =>
        {
            using var sender = PacketSender.Open("veth1", new PacketSenderOptions { Slots = 256, QdiscBypass = true });
            while (!stop.IsSet)
            {
                while (sender.TryEnqueue(frame, default))
                {
                }

                sender.Flush();
            }

            return sender.ReadStatistics().FramesSent;
        }));

        using var poll = new PollSet(1);
        poll.Add(fd);
        var clock = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        while (clock.Elapsed < Phase)
        {
            if (step() == 0)
            {
                poll.Wait(1);
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        stop.Set();
        double seconds = clock.Elapsed.TotalSeconds;
        Assert.True(generator.Wait(TimeSpan.FromSeconds(5)), "the generator did not stop");
        return (generator.Result, seconds, allocated);
    }

    private struct XskForwarder(XskSocket socket) : IFrameHandler
    {
        public ulong Dropped;

        public void OnFrame(Span<byte> frame, ref FrameInfo info)
        {
            Elsewhere.CopyTo(frame);
            if (!socket.TryEnqueue(frame))
            {
                socket.Flush();
                if (!socket.TryEnqueue(frame))
                {
                    Dropped++;
                }
            }
        }
    }

    private struct RingForwarder(PacketSender sender) : IFrameHandler
    {
        public ulong Received;

        public void OnFrame(Span<byte> frame, ref FrameInfo info)
        {
            if (info.Protocol != 0x0800 || frame.Length < 42 || frame[23] != 17)
            {
                return;
            }

            Received++;
            Elsewhere.CopyTo(frame);
            if (!sender.TryEnqueue(frame, info.Vnet))
            {
                sender.Flush();
                sender.TryEnqueue(frame, info.Vnet);
            }
        }
    }
}
