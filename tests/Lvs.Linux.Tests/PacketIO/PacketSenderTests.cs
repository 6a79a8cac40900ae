using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Lvs.Linux.Interop;
using Lvs.Linux.PacketIO;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>A real sender on a veth end inside namespaces the test makes (needs root).</summary>
public class PacketSenderTests
{
    private static readonly VirtioNetHeader NoOffload = default;

    [RootFact]
    public void Flush_UdpFrames_PeerAcceptsFullAndKernelFinishedChecksumsOnly()
    {
        using var pair = VethPair.Create();

        // Without tx checksum offload the kernel must finish a NEEDS_CSUM checksum in software
        // before veth0, and B verifies every checksum: a wrong one is dropped, a partial one that
        // the kernel did not finish would be too.
        pair.A.Exec("ethtool", "-K", "veth0", "tx", "off");
        using var socket = NetNs.Run(pair.B.Name, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(VethPair.AddressB, 9998));
            return s;
        });
        using var sender = NetNs.Run(pair.A.Name, () => PacketSender.Open("veth0"));
        byte[] macA = pair.A.MacOf("veth0"), macB = pair.B.MacOf("veth1");
        byte[] Frame(string text, TestFrames.Checksum mode) => TestFrames.Udp(
            macA, macB, VethPair.AddressA, VethPair.AddressB, 40000, 9998, Encoding.ASCII.GetBytes(text), mode);
        var needsCsum = new VirtioNetHeader { Flags = VirtioNetFlags.NeedsChecksum, CsumStart = 34, CsumOffset = 6 };

        byte[] wrong = Frame("wrong", TestFrames.Checksum.Wrong), full = Frame("full", TestFrames.Checksum.Full);
        byte[] partial = Frame("partial", TestFrames.Checksum.Partial);

        long before = GC.GetAllocatedBytesForCurrentThread();
        bool queued = sender.TryEnqueue(wrong, NoOffload) & sender.TryEnqueue(full, NoOffload) & sender.TryEnqueue(partial, needsCsum);
        int queuedCount = sender.Queued;
        int accepted = sender.Flush();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(queued);
        Assert.Equal(3, queuedCount);
        Assert.Equal(3, accepted);
        Assert.Equal(0, allocated);
        Assert.Equal(0, sender.Queued);
        var received = ReceiveAll(socket, expected: 2);
        Assert.Equal(["full", "partial"], received.Order());

        // B really verified checksums: the wrong one, and only it, failed.
        var csumErrors = pair.B.Exec("nstat", "-az", "UdpInCsumErrors")
            .Split('\n').Single(l => l.StartsWith("UdpInCsumErrors", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        Assert.Equal("1", csumErrors);
        var stats = sender.ReadStatistics();
        Assert.Equal(3ul, stats.FramesSent);
        Assert.Equal((ulong)(3 * 42 + "wrongfullpartial".Length), stats.BytesSent);
        Assert.Equal(0, stats.LastErrno);
    }

    [RootFact]
    public void Flush_GsoTcpFrame_KernelSegmentsForMtuAndPlainFrameIsTooBig()
    {
        const int payload = 3000, mss = 1000;
        using var pair = VethPair.Create();

        // No TSO on veth0: the kernel itself must cut the 3 KB frame to the 1500-byte MTU.
        pair.A.Exec("ethtool", "-K", "veth0", "tso", "off");
        using var ring = NetNs.Run(pair.B.Name, () => PacketRing.Open("veth1"));
        using var sender = NetNs.Run(pair.A.Name, () => PacketSender.Open("veth0"));
        byte[] macA = pair.A.MacOf("veth0"), macB = pair.B.MacOf("veth1");
        var gsoFrame = TestFrames.Tcp(macA, macB, VethPair.AddressA, VethPair.AddressB, 40001, 8080, 1000, payload, TestFrames.Checksum.Partial);
        var gso = new VirtioNetHeader
        {
            Flags = VirtioNetFlags.NeedsChecksum,
            GsoType = VirtioGsoType.TcpV4,
            HdrLen = 14 + 20 + 20,
            GsoSize = mss,
            CsumStart = 14 + 20,
            CsumOffset = 16,
        };

        Assert.True(sender.TryEnqueue(gsoFrame, NoOffload));
        Assert.True(sender.TryEnqueue(gsoFrame, gso));
        int accepted = sender.Flush();

        Assert.Equal(1, accepted);
        var stats = sender.ReadStatistics();
        Assert.Equal(1ul, stats.DroppedTooBig);
        Assert.Equal(Errno.EMSGSIZE, stats.LastErrno);

        var capture = new Capture(keepBytes: true);
        Capture.DrainUntil(ring, ref capture, () => Segments(capture).Count >= 3, TimeSpan.FromSeconds(5));
        var segments = Segments(capture);
        Assert.Equal(3, segments.Count);
        Assert.All(segments, s => Assert.Equal(14 + 20 + 20 + mss, s.Length));
        Assert.Equal([1000u, 2000u, 3000u], segments.Select(s => BinaryPrimitives.ReadUInt32BigEndian(s.AsSpan(38))));
        Assert.Equal(gsoFrame.AsSpan(54 + mss, mss).ToArray(), segments[1].AsSpan(54, mss).ToArray());
    }

    [RootFact("opens a packet socket on lo (nothing is sent)")]
    public void TryEnqueue_BatchFull_ReturnsFalseUntilCleared()
    {
        using var sender = PacketSender.Open("lo", new PacketSenderOptions { Slots = 2, MaxFrameLength = 128, SendBufferBytes = 0 });
        var frame = new byte[60];

        Assert.True(sender.TryEnqueue(frame, NoOffload));
        Assert.True(sender.TryEnqueue(frame, NoOffload));
        Assert.False(sender.TryEnqueue(frame, NoOffload));
        Assert.False(sender.TryEnqueue(new byte[129], NoOffload));
        sender.Clear();
        Assert.True(sender.TryEnqueue(new byte[129], NoOffload));
        Assert.True(sender.TryEnqueue(new byte[10], NoOffload));

        Assert.Equal(0, sender.Queued);
        Assert.Equal(1ul, sender.ReadStatistics().DroppedTooBig);
        Assert.Equal(1ul, sender.ReadStatistics().DroppedMalformed);
    }

    private static List<byte[]> Segments(Capture capture) => capture.Frames
        .Select(f => f.Bytes!)
        .Where(b => b.Length >= 54 && b[23] == 6 && BinaryPrimitives.ReadUInt16BigEndian(b.AsSpan(34)) == 40001)
        .ToList();

    private static List<string> ReceiveAll(Socket socket, int expected)
    {
        var result = new List<string>();
        var buffer = new byte[2048];
        socket.ReceiveTimeout = 3000;
        while (result.Count < expected)
        {
            result.Add(Encoding.ASCII.GetString(buffer, 0, socket.Receive(buffer)));
        }

        // Anything else (the frame with the wrong checksum) would have arrived first; make sure it did not come late.
        socket.ReceiveTimeout = 300;
        try
        {
            result.Add(Encoding.ASCII.GetString(buffer, 0, socket.Receive(buffer)));
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.TimedOut)
        {
        }

        return result;
    }
}
