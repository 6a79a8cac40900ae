using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Lvs.Linux.PacketIO;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>A real ring on a veth end inside namespaces the test makes (needs root).</summary>
public class PacketRingTests
{
    private const int Datagrams = 20;

    [RootFact]
    public void Drain_UdpFromPeer_AllReceivedWithIfIndexAndType() => UdpFromPeer(RingKind.Frames);

    [RootFact]
    public void Drain_UdpFromPeerBlocksRing_AllReceivedWithIfIndexAndType() => UdpFromPeer(RingKind.Blocks);

    [RootFact]
    public void Drain_TcpBulkFromPeer_SeesVnetOffloadHeaders() => TcpBulkFromPeer(RingKind.Frames);

    [RootFact]
    public void Drain_TcpBulkFromPeerBlocksRing_SeesVnetOffloadHeaders() => TcpBulkFromPeer(RingKind.Blocks);

    private static void UdpFromPeer(RingKind kind)
    {
        using var pair = VethPair.Create();
        using var ring = NetNs.Run(pair.A.Name, () => PacketRing.Open("veth0", new PacketRingOptions { Kind = kind }));
        var capture = new Capture(keepBytes: true);
        byte[] marker = "lvs-ring-test"u8.ToArray();

        // Drain while B sends, as a worker would: at light load every frame retires its own block
        // after 1 ms, so a consumer that waits for the whole burst overruns the ring.
        var sender = Task.Run(() => NetNs.Run(pair.B.Name, () =>
        {
            using var udp = new UdpClient(new IPEndPoint(VethPair.AddressB, 0));
            for (int i = 0; i < Datagrams; i++)
            {
                udp.Send(marker, new IPEndPoint(VethPair.AddressA, 9999));
                Thread.Sleep(5);
            }

            return 0;
        }));
        Capture.DrainUntil(ring, ref capture, () => CountUdp(capture, marker) >= Datagrams, TimeSpan.FromSeconds(5));
        sender.Wait(TimeSpan.FromSeconds(5));

        Assert.Equal(Datagrams, CountUdp(capture, marker));
        Assert.All(capture.Frames, f => Assert.Equal(ring.IfIndex, f.Info.IfIndex));
        Assert.All(capture.Frames.Where(f => IsUdpTo(f.Bytes!, 9999)), f =>
        {
            Assert.Equal(PacketType.Host, f.Info.PacketType);
            Assert.Equal(0x0800, f.Info.Protocol);
            Assert.False(f.Info.Truncated);
        });

        // B resolved A's MAC first: a broadcast ARP request.
        Assert.Contains(capture.Frames, f => f.Info.PacketType == PacketType.Broadcast && f.Info.Protocol == 0x0806);

        // A answered ARP and sent port unreachables; PACKET_IGNORE_OUTGOING must hide them.
        Assert.DoesNotContain(capture.Frames, f => f.Info.PacketType == PacketType.Outgoing);
        Assert.DoesNotContain(capture.Frames, f => f.Bytes!.AsSpan(6, 6).SequenceEqual(pair.A.MacOf("veth0")));

        var stats = ring.ReadStatistics();
        Assert.True(stats.Packets >= Datagrams, $"tp_packets {stats.Packets}");
        Assert.Equal(0ul, stats.Drops);
        Assert.Equal(0ul, stats.FreezeQueueCount);
    }

    private static void TcpBulkFromPeer(RingKind kind)
    {
        const int total = 4 << 20;
        using var pair = VethPair.Create();
        using var ring = NetNs.Run(pair.A.Name, () => PacketRing.Open("veth0", new PacketRingOptions { Kind = kind }));
        using var listener = NetNs.Run(pair.A.Name, () =>
        {
            var l = new TcpListener(VethPair.AddressA, 8080);
            l.Start();
            return l;
        });
        using var client = NetNs.Run(pair.B.Name, () => new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
        client.SendTimeout = 10_000;

        var receiver = Task.Run(() =>
        {
            using var server = listener.AcceptSocket();
            server.ReceiveTimeout = 10_000;
            var buffer = new byte[1 << 16];
            long received = 0;
            int n;
            while ((n = server.Receive(buffer)) > 0)
            {
                received += n;
            }

            return received;
        });
        var sender = Task.Run(() =>
        {
            client.Connect(new IPEndPoint(VethPair.AddressA, 8080));
            var chunk = new byte[1 << 16];
            for (int sent = 0; sent < total; sent += chunk.Length)
            {
                client.Send(chunk);
            }

            client.Shutdown(SocketShutdown.Send);
        });

        var capture = new Capture(keepBytes: false);
        Capture.DrainUntil(ring, ref capture, () => receiver.IsCompleted, TimeSpan.FromSeconds(20));
        sender.Wait(TimeSpan.FromSeconds(5));

        Assert.True(receiver.IsCompletedSuccessfully, "the transfer did not finish");
        Assert.Equal(total, receiver.Result);
        var gso = capture.Frames.Where(f => f.Info.Vnet.GsoSize > 0).ToList();
        var partial = capture.Frames.Where(f => f.Info.Vnet.NeedsChecksum).ToList();
        Assert.True(gso.Count > 0 || partial.Count > 0,
            $"no vnet offload seen in {capture.Frames.Count} frames: the kernel did not fill virtio_net_hdr");
        Assert.All(gso, f =>
        {
            Assert.Equal(VirtioGsoType.TcpV4, f.Info.Vnet.GsoType & ~VirtioGsoType.Ecn);
            Assert.True(f.Info.Vnet.NeedsChecksum);
            Assert.False(f.Info.Truncated);
            Assert.True(f.Length > 1514, $"GSO frame of only {f.Length} bytes");
        });
        Assert.All(partial, f => Assert.True(f.Info.ChecksumNotReady, "NEEDS_CSUM without TP_STATUS_CSUMNOTREADY"));
        if (kind == RingKind.Frames)
        {
            // Frames bigger than a 2 KiB slot arrived whole through the socket queue, none lost.
            Assert.True(ring.CopyCounts.Copied >= (ulong)capture.Frames.Count(f => f.Length > 1972), $"copied {ring.CopyCounts.Copied}");
            Assert.Equal(0ul, ring.CopyCounts.Lost);
        }

        Console.WriteLine($"TCP bulk: {capture.Frames.Count} frames, {gso.Count} GSO (largest {gso.Select(f => f.Length).DefaultIfEmpty().Max()} bytes), {partial.Count} NEEDS_CSUM");
    }

    private static int CountUdp(Capture capture, byte[] marker) =>
        capture.Frames.Count(f => IsUdpTo(f.Bytes!, 9999) && f.Bytes!.AsSpan(42).SequenceEqual(marker));

    private static bool IsUdpTo(byte[] frame, ushort port) =>
        frame.Length >= 42
        && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) == 0x0800
        && frame[23] == 17
        && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(36)) == port;
}
