using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Lvs.Linux.Interop;
using Lvs.Linux.PacketIO.Xdp;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>
/// The XDP program in the kernel: the verifier loads it, and BPF_PROG_TEST_RUN classifies crafted
/// frames (no interface needed). Without a socket in the XSKMAP a match ends in XDP_PASS counted as
/// <see cref="XdpCounter.PassedNoSocket"/>, which is how a match is told apart here.
/// </summary>
public partial class XdpProgramTests
{
    private static readonly IPAddress Vip = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress Client = IPAddress.Parse("198.51.100.7");
    private static readonly IPAddress Rip = IPAddress.Parse("10.0.0.2");
    private static readonly IPAddress Vip6 = IPAddress.Parse("2001:db8:a::10");
    private static readonly IPAddress Client6 = IPAddress.Parse("2001:db8:c::7");

    [RootFact("loads a BPF program")]
    public void Load_RedirectProgram_VerifierAccepts()
    {
        using var program = XdpRedirectProgram.Load(maxFlows: 1024, maxQueues: 4);
        Assert.True(program.Program.Fd >= 0);
        Assert.True(program.InstructionCount > 50, $"{program.InstructionCount} instructions");
    }

    [RootFact("loads a BPF program")]
    public void LoadXdp_ProgramReadingPastEnd_VerifierLogInException()
    {
        // r0 = *(u8 *)(data + 0) without comparing against data_end: the verifier must refuse it.
        var code = new BpfAssembler()
            .Load(BpfOp.W, 2, 1, 0)
            .Load(BpfOp.B, 0, 2, 0)
            .Exit()
            .Build();
        var ex = Assert.Throws<BpfVerifierException>(() => BpfProgram.LoadXdp("lvs_bad", code));
        Assert.Equal(Errno.EACCES, ex.Errno);
        Assert.Contains("invalid access to packet", ex.Log, StringComparison.Ordinal);
    }

    [RootFact("loads a BPF program")]
    public void TestRun_Frames_ClassifiedByServicesAndReplies()
    {
        using var p = XdpRedirectProgram.Load(maxFlows: 1024, maxQueues: 4);
        p.AddService(Vip, 80, ProtocolType.Tcp);
        p.AddService(Vip, 0, ProtocolType.Udp);     // port-0 service: every UDP port
        p.AddService(Vip6, 443, ProtocolType.Tcp);
        p.AddReplySource(Rip, 8080, ProtocolType.Tcp);

        Expect(p, XdpCounter.PassedNoSocket, V4(Client, Vip, 6, 40000, 80));       // VIP:80/tcp
        Expect(p, XdpCounter.PassedNoMatch, V4(Client, Vip, 6, 40000, 81));        // another port
        Expect(p, XdpCounter.PassedNoMatch, V4(Client, Rip, 17, 40000, 53));       // UDP to a non-VIP
        Expect(p, XdpCounter.PassedNoSocket, V4(Client, Vip, 17, 40000, 5353));     // port 0 catches any UDP port
        Expect(p, XdpCounter.PassedNoSocket, V4(Rip, Client, 6, 8080, 40000));     // NAT reply from RIP:8080
        Expect(p, XdpCounter.PassedNoMatch, V4(Rip, Client, 6, 8081, 40000));
        p.AddLocalAddress(IPAddress.Parse("10.0.0.1"));                             // the director's inside address
        Expect(p, XdpCounter.PassedToDirector, V4(Rip, IPAddress.Parse("10.0.0.1"), 6, 8080, 50000)); // its health check
        Expect(p, XdpCounter.PassedNoSocket, V4(Rip, Client, 6, 8080, 40000));
        Expect(p, XdpCounter.PassedNoSocket, V6(Client6, Vip6, 6, 40000, 443));
        Expect(p, XdpCounter.PassedNoMatch, V6(Client6, Vip6, 17, 40000, 443));
        Expect(p, XdpCounter.PassedNoSocket, Vlan(V4(Client, Vip, 6, 40000, 80)));

        Expect(p, XdpCounter.PassedOther, Icmp(Client, Vip, 8, V4(Vip, Client, 6, 80, 40000)));  // echo request to the VIP
        Expect(p, XdpCounter.PassedNoSocket, Icmp(Client, Vip, 3, V4(Vip, Client, 6, 80, 40000))); // frag-needed about VIP:80 → client
        Expect(p, XdpCounter.PassedNoSocket, Icmp(Rip, Client, 3, V4(Client, Rip, 6, 40000, 8080))); // unreachable about client → RIP:8080
        Expect(p, XdpCounter.PassedNoSocket, Icmp(Client, Vip, 11, V4(Vip, Client, 6, 80, 40000)));
        Expect(p, XdpCounter.PassedNoMatch, Icmp(Client, Vip, 3, V4(Vip, Client, 6, 81, 40000)));  // about another port
        Expect(p, XdpCounter.PassedTruncated, Icmp(Client, Vip, 3, V4(Vip, Client, 6, 80, 40000))[..(14 + 20 + 8 + 20 + 2)]);
        Expect(p, XdpCounter.PassedOther, Arp());
        Expect(p, XdpCounter.PassedOther, Fragment(V4(Client, Vip, 6, 40000, 80)));
        Expect(p, XdpCounter.PassedTruncated, V4(Client, Vip, 6, 40000, 80)[..(14 + 20 + 2)]);
        Expect(p, XdpCounter.PassedTruncated, V4(Client, Vip, 6, 40000, 80)[..20]);

        Assert.True(p.RemoveService(Vip, 80, ProtocolType.Tcp));
        Assert.False(p.RemoveService(Vip, 80, ProtocolType.Tcp));
        Expect(p, XdpCounter.PassedNoMatch, V4(Client, Vip, 6, 40000, 80));
    }

    private static void Expect(XdpRedirectProgram p, XdpCounter counter, byte[] frame)
    {
        var before = p.ReadCounters();
        int action = p.Program.TestRun(frame);
        var after = p.ReadCounters();
        Assert.Equal(Bpf.XDP_PASS, action);
        var changed = Enum.GetValues<XdpCounter>().Where(c => after[c] != before[c]).ToList();
        Assert.Equal([counter], changed);
        Assert.Equal(before[counter] + 1, after[counter]);
    }

    internal static byte[] V4(IPAddress src, IPAddress dst, byte proto, ushort sport, ushort dport)
    {
        var f = new byte[14 + 20 + 20];
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0800);
        f[14] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), 40);
        f[14 + 8] = 64;
        f[14 + 9] = proto;
        src.TryWriteBytes(f.AsSpan(14 + 12), out _);
        dst.TryWriteBytes(f.AsSpan(14 + 16), out _);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(34), sport);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(36), dport);
        return f;
    }

    private static byte[] V6(IPAddress src, IPAddress dst, byte proto, ushort sport, ushort dport)
    {
        var f = new byte[14 + 40 + 20];
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x86dd);
        f[14] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(14 + 4), 20);
        f[14 + 6] = proto;
        f[14 + 7] = 64;
        src.TryWriteBytes(f.AsSpan(14 + 8), out _);
        dst.TryWriteBytes(f.AsSpan(14 + 24), out _);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(54), sport);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(56), dport);
        return f;
    }

    /// <summary>An ICMPv4 message of <paramref name="type"/> quoting the IP part of <paramref name="quoted"/> (28 bytes+).</summary>
    private static byte[] Icmp(IPAddress src, IPAddress dst, byte type, byte[] quoted)
    {
        var inner = quoted.AsSpan(14, 28);
        var f = new byte[14 + 20 + 8 + inner.Length];
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0800);
        f[14] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(16), (ushort)(20 + 8 + inner.Length));
        f[14 + 8] = 64;
        f[14 + 9] = 1;
        src.TryWriteBytes(f.AsSpan(14 + 12), out _);
        dst.TryWriteBytes(f.AsSpan(14 + 16), out _);
        f[34] = type;
        f[35] = type == 3 ? (byte)4 : (byte)0;
        inner.CopyTo(f.AsSpan(42));
        return f;
    }

    private static byte[] Vlan(byte[] frame)
    {
        var f = new byte[frame.Length + 4];
        frame.AsSpan(0, 12).CopyTo(f);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x8100);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(14), 42);
        frame.AsSpan(12).CopyTo(f.AsSpan(16));
        return f;
    }

    private static byte[] Fragment(byte[] frame)
    {
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14 + 6), 185); // offset 1480 bytes
        return frame;
    }

    private static byte[] Arp()
    {
        var f = new byte[14 + 28];
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x0806);
        return f;
    }
}
