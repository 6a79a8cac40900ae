using System.Buffers.Binary;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Lvs.Linux.PacketIO;
using Lvs.Linux.PacketIO.Xdp;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>Our XDP program and an AF_XDP socket on a veth end, in namespaces the test makes (needs root).</summary>
public class XskSocketTests
{
    private const int Datagrams = 20;

    [RootTheory]
    [InlineData(XdpMode.Generic)]
    [InlineData(XdpMode.Native)]
    public void Drain_VipFramesRedirected_ArpAndPingStayWithKernel(XdpMode mode)
    {
        using var lab = XdpLab.Create(mode);
        lab.Program.AddService(XdpLab.Vip, 9999, ProtocolType.Udp);
        string link = lab.LinkShow();
        Assert.Contains(mode == XdpMode.Native ? " xdp " : " xdpgeneric ", link, StringComparison.Ordinal);
        Console.WriteLine(link);

        byte[] marker = "lvs-xsk-test"u8.ToArray();
        var sender = Task.Run(() => NetNs.Run(lab.Pair.B.Name, () =>
        {
            using var udp = new UdpClient(new IPEndPoint(VethPair.AddressB, 40000));
            for (int i = 0; i < Datagrams; i++)
            {
                udp.Send(marker, new IPEndPoint(XdpLab.Vip, 9999));
                udp.Send(marker, new IPEndPoint(VethPair.AddressA, 9998)); // not a service
                Thread.Sleep(5);
            }

            return 0;
        }));
        var capture = new XskCapture();
        XskCapture.DrainUntil(lab.Socket, ref capture, () => capture.Frames.Count >= Datagrams, TimeSpan.FromSeconds(5));
        sender.Wait(TimeSpan.FromSeconds(5));

        // Exactly the VIP datagrams, and nothing else (ARP, the datagrams to A's own address).
        Assert.Equal(Datagrams, capture.Frames.Count);
        Assert.All(capture.Frames, f =>
        {
            Assert.Equal(0x0800, f.Info.Protocol);
            Assert.Equal(PacketType.Host, f.Info.PacketType);
            Assert.Equal(lab.Socket.IfIndex, f.Info.IfIndex);
            Assert.Equal(9999, BinaryPrimitives.ReadUInt16BigEndian(f.Bytes.AsSpan(36)));
            Assert.True(f.Bytes.AsSpan(42).SequenceEqual(marker));
        });
        Assert.Equal((ulong)Datagrams, lab.Program.ReadCounter(XdpCounter.RedirectedService));
        Assert.True(lab.Program.ReadCounter(XdpCounter.PassedNoMatch) >= Datagrams);
        Assert.True(lab.Program.ReadCounter(XdpCounter.PassedOther) >= 1, "B's ARP request passed to the kernel");

        // What copy mode delivers from a local UDP sender: the checksum as veth left it, complete or
        // only the pseudo-header sum (CHECKSUM_PARTIAL), with no flag saying which (seen: all partial).
        int valid = capture.Frames.Count(f => FrameChecks.L4ChecksumValid(f.Bytes));
        int partial = capture.Frames.Count(f => FrameChecks.L4ChecksumIsPseudoHeaderOnly(f.Bytes));
        Console.WriteLine($"{mode}: {valid} UDP frames with a complete checksum, {partial} partial, of {capture.Frames.Count}");
        Assert.Equal(capture.Frames.Count, valid + partial);
        Assert.All(capture.Frames, f => Assert.Equal(
            FrameChecks.L4ChecksumIsPseudoHeaderOnly(f.Bytes) && !FrameChecks.L4ChecksumValid(f.Bytes), f.Info.Vnet.NeedsChecksum));

        // ICMP to the VIP stays with the kernel: it answers.
        var ping = lab.Pair.B.Exec("ping", "-c", "2", "-i", "0.2", "-W", "2", XdpLab.Vip.ToString());
        Assert.Contains("2 received", ping, StringComparison.Ordinal);
        Assert.Equal(0ul, lab.Program.ReadCounter(XdpCounter.PassedNoSocket));
        var stats = lab.Socket.ReadStatistics();
        Assert.Equal((ulong)Datagrams, stats.RxFrames);
        Assert.Equal(0ul, stats.RxDropped);
    }

    [RootTheory]
    [InlineData(XdpMode.Generic)]
    [InlineData(XdpMode.Native)]
    public void Flush_FramesFromXsk_ReachPeerSocket(XdpMode mode)
    {
        using var lab = XdpLab.Create(mode);
        using var socket = NetNs.Run(lab.Pair.B.Name, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(VethPair.AddressB, 7777));
            s.ReceiveTimeout = 3000;
            return s;
        });
        byte[] macA = lab.Pair.A.MacOf("veth0"), macB = lab.Pair.B.MacOf("veth1");
        const int count = 100;
        int queued = 0;
        for (int i = 0; i < count; i++)
        {
            // Every third frame carries only the pseudo-header sum, as a local sender leaves it, with
            // the NEEDS_CSUM header Drain would give it: the socket must finish it or B drops it.
            bool partial = i % 3 == 2;
            var frame = TestFrames.Udp(macA, macB, VethPair.AddressA, VethPair.AddressB, 40000, 7777,
                Encoding.ASCII.GetBytes($"xsk {i}"), partial ? TestFrames.Checksum.Partial : TestFrames.Checksum.Full);
            if (partial)
            {
                var vnet = new VirtioNetHeader { Flags = VirtioNetFlags.NeedsChecksum, CsumStart = 34, CsumOffset = 6 };
                Assert.True(lab.Socket.TryEnqueue(frame, vnet));
            }
            else if (i % 2 == 0)
            {
                Assert.True(lab.Socket.TryEnqueue(frame));
            }
            else
            {
                var slot = lab.Socket.Reserve(frame.Length);
                Assert.False(slot.IsEmpty);
                frame.CopyTo(slot);
                lab.Socket.Commit(frame.Length);
            }

            queued++;
            if (queued % 32 == 0)
            {
                lab.Socket.Flush();
            }
        }

        lab.Socket.Flush();
        var received = new HashSet<string>();
        var buffer = new byte[2048];
        while (received.Count < count)
        {
            int n = socket.Receive(buffer);
            received.Add(Encoding.ASCII.GetString(buffer, 0, n));
        }

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"xsk {i}").ToHashSet(), received);
        var stats = lab.Socket.ReadStatistics();
        Assert.Equal((ulong)count, stats.TxFrames);
        Assert.Equal(0ul, stats.TxInvalidDescs);
        Assert.Equal(0, lab.Socket.Queued);
    }

    [RootFact]
    public void Dispose_Attachment_LeavesNoProgramOnInterface()
    {
        using var lab = XdpLab.Create(XdpMode.Native);
        Assert.Contains("xdp", lab.LinkShow(), StringComparison.Ordinal);
        int ifIndex = lab.Attachment.IfIndex;
        Assert.NotEqual(0u, NetNs.Run(lab.Pair.A.Name, () => XdpAttachment.Query(ifIndex)).ProgramId);

        lab.Detach();

        Assert.DoesNotContain("xdp", lab.LinkShow(), StringComparison.Ordinal);
        Assert.Equal(default, NetNs.Run(lab.Pair.A.Name, () => XdpAttachment.Query(ifIndex)));
    }

    [RootFact]
    public void RemoveStale_ProgramLeftByNetlinkAttach_Removed()
    {
        // What a crashed lvsd would leave if it had attached through rtnetlink (no bpf_link):
        // the attachment outlives every fd. Emulate it by attaching with `ip` semantics and
        // dropping all our references.
        using var pair = VethPair.Create();
        int ifIndex = NetNs.Run(pair.A.Name, () => PacketSocket.IfIndexOf("veth0"));
        using (var program = XdpRedirectProgram.Load(maxFlows: 16, maxQueues: 1))
        {
            NetNs.Run(pair.A.Name, () =>
            {
                XdpNetlink.Set(ifIndex, program.Program.Fd, Lvs.Linux.Interop.Bpf.XDP_FLAGS_SKB_MODE);
                return 0;
            });
        }

        Assert.Contains("xdpgeneric", pair.A.Ip("link", "show", "dev", "veth0"), StringComparison.Ordinal);

        string? removed = NetNs.Run(pair.A.Name, () => XdpAttachment.RemoveStale(ifIndex));

        Assert.NotNull(removed);
        Assert.Contains(XdpRedirectProgram.ProgramName, removed, StringComparison.Ordinal);
        Assert.DoesNotContain("xdp", pair.A.Ip("link", "show", "dev", "veth0"), StringComparison.Ordinal);
        Assert.Null(NetNs.Run(pair.A.Name, () => XdpAttachment.RemoveStale(ifIndex)));
    }
}
