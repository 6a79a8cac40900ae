using System.Net;
using System.Net.Sockets;
using Lvs.Linux.PacketIO;
using Lvs.Linux.PacketIO.Xdp;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>
/// What TCP data from a local sender looks like through our XDP program and an AF_XDP socket in
/// copy mode: frame sizes (does the peer's TSO/GSO reach us as 64 KiB frames?) and checksums.
/// Seen on 6.18: native mode turns the veth peer's TSO off, every segment arrives (≤ 1514 bytes);
/// generic mode leaves TSO on and the GSO frames, larger than a UMEM chunk, are dropped by the
/// kernel (XDP_STATISTICS rx_dropped), only the peer's MSS-sized retransmissions arrive. In both,
/// the TCP checksum is the pseudo-header sum only (CHECKSUM_PARTIAL) with no flag saying so.
/// </summary>
public class XskFrameShapeTests
{
    [RootTheory]
    [InlineData(XdpMode.Generic)]
    [InlineData(XdpMode.Native)]
    public void Drain_TcpBulkFromPeer_FramesFitChunkChecksumsCompleteOrPartial(XdpMode mode)
    {
        using var lab = XdpLab.Create(mode);
        using var listener = NetNs.Run(lab.Pair.A.Name, () =>
        {
            var l = new TcpListener(VethPair.AddressA, 8080);
            l.Start();
            return l;
        });
        using var client = NetNs.Run(lab.Pair.B.Name, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { SendTimeout = 2000 };
            s.Bind(new IPEndPoint(VethPair.AddressB, 45000));
            s.Connect(new IPEndPoint(VethPair.AddressA, 8080));
            return s;
        });
        using var server = listener.AcceptSocket();

        // From now on B's segments are "replies" the director must see: the kernel gets none, sends
        // no ACK, so B sends its congestion window (10+ segments, one GSO burst) and retransmits.
        lab.Program.AddReplySource(VethPair.AddressB, 45000, ProtocolType.Tcp);
        var send = Task.Run(() =>
        {
            try
            {
                client.Send(new byte[256 << 10]);
            }
            catch (SocketException)
            {
                // The send buffer fills without ACKs and the timeout ends the send: expected.
            }
        });
        var capture = new XskCapture();
        XskCapture.DrainUntil(lab.Socket, ref capture, () => capture.Frames.Count >= 30, TimeSpan.FromSeconds(3));
        send.Wait(TimeSpan.FromSeconds(5));

        var data = capture.Frames.Where(f => f.Bytes.Length > 66).ToList();
        int largest = capture.Frames.Max(f => f.Bytes.Length);
        int valid = data.Count(f => FrameChecks.L4ChecksumValid(f.Bytes));
        int partial = data.Count(f => FrameChecks.L4ChecksumIsPseudoHeaderOnly(f.Bytes));
        var stats = lab.Socket.ReadStatistics();
        Console.WriteLine($"{mode}: {capture.Frames.Count} frames, {data.Count} with data, largest {largest} B, " +
            $"checksums {valid} complete / {partial} partial; xsk rx_dropped {stats.RxDropped}; link: " +
            lab.Pair.B.Exec("ethtool", "-k", "veth1").Split('\n').Where(l => l.StartsWith("tcp-segmentation-offload", StringComparison.Ordinal) || l.StartsWith("generic-segmentation-offload", StringComparison.Ordinal)).Aggregate(string.Empty, (a, b) => a + b.Trim() + "; "));

        Assert.NotEmpty(data);
        Assert.True(largest <= 1514, $"a frame of {largest} bytes reached the socket");
        Assert.Equal(data.Count, valid + partial);
        if (mode == XdpMode.Native)
        {
            // veth turns its peer's TSO off while a native program runs: nothing is too big to copy.
            Assert.Contains("tcp-segmentation-offload: off", lab.Pair.B.Exec("ethtool", "-k", "veth1"), StringComparison.Ordinal);
            Assert.Equal(0ul, stats.RxDropped);
        }
    }
}
