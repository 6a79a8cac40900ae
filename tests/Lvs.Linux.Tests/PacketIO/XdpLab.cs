using System.Buffers.Binary;
using System.Net;
using Lvs.Linux.PacketIO;
using Lvs.Linux.PacketIO.Xdp;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>
/// A <see cref="VethPair"/> with our XDP program on A's veth0 and an AF_XDP socket on its queue 0.
/// A also holds the VIP 192.0.2.10/32 (as lvsd puts it on its interface); B routes 192.0.2.0/24
/// via A. Disposing detaches the program, closes the socket and removes both namespaces.
/// </summary>
internal sealed class XdpLab : IDisposable
{
    public static readonly IPAddress Vip = IPAddress.Parse("192.0.2.10");

    private XdpLab(VethPair pair, XdpRedirectProgram program, XdpAttachment attachment, XskSocket socket)
    {
        Pair = pair;
        Program = program;
        Attachment = attachment;
        Socket = socket;
    }

    public VethPair Pair { get; }

    public XdpRedirectProgram Program { get; }

    public XdpAttachment Attachment { get; private set; }

    public XskSocket Socket { get; }

    public static XdpLab Create(XdpMode mode, XskOptions? options = null)
    {
        var pair = VethPair.Create();
        XdpRedirectProgram? program = null;
        XdpAttachment? attachment = null;
        try
        {
            pair.A.Ip("addr", "add", "192.0.2.10/32", "dev", "veth0");
            pair.B.Ip("route", "add", "192.0.2.0/24", "via", "198.51.100.1", "dev", "veth1");
            program = XdpRedirectProgram.Load(maxFlows: 1024, maxQueues: 4);
            var p = program;
            attachment = NetNs.Run(pair.A.Name, () => XdpAttachment.Attach(p.Program, PacketSocket.IfIndexOf("veth0"), mode));
            var socket = NetNs.Run(pair.A.Name, () => XskSocket.Open("veth0", 0, options));
            program.SetSocket(0, socket.Fd);
            return new XdpLab(pair, program, attachment, socket);
        }
        catch
        {
            attachment?.Dispose();
            program?.Dispose();
            pair.Dispose();
            throw;
        }
    }

    /// <summary>`ip link show dev veth0` in A.</summary>
    public string LinkShow() => Pair.A.Ip("link", "show", "dev", "veth0");

    public void Detach() => Attachment.Dispose();

    public void Dispose()
    {
        Socket.Dispose();
        Attachment.Dispose();
        Program.Dispose();
        Pair.Dispose();
    }
}

/// <summary>Collects what an XSK hands over (copies, for assertions).</summary>
internal struct XskCapture() : IFrameHandler
{
    public List<(FrameInfo Info, byte[] Bytes)> Frames { get; } = [];

    public readonly void OnFrame(Span<byte> frame, ref FrameInfo info) => Frames.Add((info, frame.ToArray()));

    /// <summary>Drains until <paramref name="done"/> holds or <paramref name="timeout"/> passes.</summary>
    public static void DrainUntil(XskSocket socket, ref XskCapture capture, Func<bool> done, TimeSpan timeout)
    {
        using var poll = new PollSet(1);
        poll.Add(socket.Fd);
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            socket.Drain(ref capture, 256);
            if (done())
            {
                return;
            }

            poll.Wait(20);
        }
    }
}

/// <summary>Internet checksum checks over a captured IPv4 frame.</summary>
internal static class FrameChecks
{
    /// <summary>True when the frame's TCP/UDP checksum verifies (sum over pseudo header and segment is 0xffff).</summary>
    public static bool L4ChecksumValid(ReadOnlySpan<byte> frame)
    {
        var ip = frame[14..];
        int ihl = (ip[0] & 0x0f) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        var l4 = ip[ihl..total];
        uint sum = Sum(ip[12..20]) + ip[9] + (uint)l4.Length + Sum(l4);
        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return sum == 0xffff;
    }

    /// <summary>
    /// True when the TCP/UDP checksum field holds only the folded pseudo-header sum, not inverted:
    /// what a CHECKSUM_PARTIAL skb carries before the device (or the kernel) finishes it.
    /// </summary>
    public static bool L4ChecksumIsPseudoHeaderOnly(ReadOnlySpan<byte> frame)
    {
        var ip = frame[14..];
        int ihl = (ip[0] & 0x0f) * 4;
        int total = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        int l4Length = total - ihl;
        int checksumOffset = ip[9] == 6 ? 16 : 6;
        uint sum = Sum(ip[12..20]) + ip[9] + (uint)l4Length;
        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        return BinaryPrimitives.ReadUInt16BigEndian(ip[(ihl + checksumOffset)..]) == sum;
    }

    private static uint Sum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)(data[i] << 8);
        }

        return sum;
    }
}
