using System.Buffers.Binary;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;
using static Lvs.Core.Tests.TestSupport.Ipv6PacketBuilder;

namespace Lvs.Core.Tests;

/// <summary>ICMPv6 errors about IPv6 connections (ip_vs_in_icmp_v6 / ip_vs_out_icmp_v6) and the director's own Packet Too Big.</summary>
public class DirectorIpv6IcmpTests
{
    private const string Client = DirectorIpv6Tests.Client;
    private const string Vip = DirectorIpv6Tests.Vip;
    private const string Rs = DirectorIpv6Tests.Rs;
    private const string Router = "fd00::1";
    private const byte Syn = TcpSegment.Syn, Ack = TcpSegment.Ack;
    private const int Eth = 14;

    private readonly Director _director;

    public DirectorIpv6IcmpTests()
    {
        var services = new ServiceTable(workers: 1);
        var key = new ServiceKey(IpProtocol.Tcp, Ipv6Address.Parse(Vip), 80);
        services.AddService(key, "rr");
        services.AddServer(key, Ipv6Address.Parse(Rs), 8080, ForwardMethod.Masquerade, 1);
        var dr = new ServiceKey(IpProtocol.Tcp, Ipv6Address.Parse(Vip), 81);
        services.AddService(dr, "rr");
        services.AddServer(dr, Ipv6Address.Parse("2001:db8:b::21"), 81, ForwardMethod.DirectRoute, 1);
        _director = new Director(services);
        _director.Tick(0);
        _director.Process(DirectorIpv6Tests.Frame(Tcp(Client, 40000, Vip, 80, Syn)), default, 0);
    }

    private static byte[] Error(string from, string to, byte type, uint parameter, byte[] quotedPacket) =>
        DirectorIpv6Tests.Frame(Icmpv6(Address(from), Address(to), type, 0, parameter, quotedPacket.AsSpan(0, Math.Min(quotedPacket.Length, 48 + 20))));

    private static bool IcmpValid(byte[] frame) =>
        ReferenceVerify(frame[(Eth + 8)..(Eth + 24)], frame[(Eth + 24)..(Eth + 40)], 58, frame.AsSpan(Eth + 40));

    private static string At(byte[] frame, int offset) => Ipv6Address.ReadFrom(frame.AsSpan(offset)).ToString();

    [Fact]
    public void Process_UnreachableFromServerSide_ClientSeesOnlyTheVip()
    {
        // A router behind the director could not deliver the packet we forwarded (client -> RS:8080).
        byte[] quoted = Tcp(Client, 40000, Rs, 8080, Syn);
        byte[] frame = Error(Router, Client, Icmpv6Message.TypeDestinationUnreachable, 0, quoted);

        Verdict v = _director.Process(frame, default, 1);

        Assert.Equal(VerdictKind.Forward, v.Kind);
        Assert.Equal(Client, v.NextHop.ToString());
        Assert.Equal(Vip, At(frame, Eth + 8));                       // outer source
        Assert.Equal(Vip, At(frame, Eth + 48 + 24));                 // quoted destination
        Assert.Equal(80, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(Eth + 48 + 40 + 2)));
        Assert.True(IcmpValid(frame));
        Assert.Equal(63, frame[Eth + 7]);
    }

    [Fact]
    public void Process_PacketTooBigFromClientSide_ServerSeesItself()
    {
        // The client's side could not take a reply (VIP:80 -> client): the server must see RS:8080.
        byte[] quoted = Tcp(Vip, 80, Client, 40000, Syn | Ack);
        byte[] frame = Error("2001:db8:c::fe", Vip, Icmpv6Message.TypePacketTooBig, 1400, quoted);

        Verdict v = _director.Process(frame, default, 1);

        Assert.Equal(VerdictKind.Forward, v.Kind);
        Assert.Equal(Rs, v.NextHop.ToString());
        Assert.Equal(Rs, At(frame, Eth + 24));
        Assert.Equal(Rs, At(frame, Eth + 48 + 8));
        Assert.Equal(8080, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(Eth + 48 + 40)));
        Assert.Equal(1400u, BinaryPrimitives.ReadUInt32BigEndian(frame.AsSpan(Eth + 44)));
        Assert.True(IcmpValid(frame));
    }

    [Fact]
    public void Process_TimeExceededAboutDrConnection_PassedOnUnchanged()
    {
        _director.Process(DirectorIpv6Tests.Frame(Tcp(Client, 40001, Vip, 81, Syn)), default, 0);
        byte[] quoted = Tcp(Vip, 81, Client, 40001, Syn | Ack);
        byte[] frame = Error("2001:db8:c::fe", Vip, Icmpv6Message.TypeTimeExceeded, 0, quoted);
        byte[] before = (byte[])frame.Clone();

        Verdict v = _director.Process(frame, default, 1);

        Assert.Equal(VerdictKind.Forward, v.Kind);
        Assert.Equal("2001:db8:b::21", v.NextHop.ToString());
        before[Eth + 7]--;
        Assert.Equal(before, frame);
    }

    [Fact]
    public void Process_CorruptIcmpv6Checksum_Dropped()
    {
        byte[] frame = Error(Router, Client, Icmpv6Message.TypeDestinationUnreachable, 0, Tcp(Client, 40000, Rs, 8080, Syn));
        frame[Eth + 42] ^= 0x40;

        Assert.Equal(DropReason.IcmpChecksum, _director.Process(frame, default, 1).Reason);
    }

    [Fact]
    public void Process_ErrorAboutUnknownConnection_LeftToTheKernel()
    {
        byte[] frame = Error(Router, Client, Icmpv6Message.TypeDestinationUnreachable, 0, Tcp(Client, 49999, Rs, 8080, Syn));

        Assert.Equal(VerdictKind.Pass, _director.Process(frame, default, 1).Kind);
    }

    [Fact]
    public void Process_EchoRequestToVip_LeftToTheKernel()
    {
        byte[] frame = DirectorIpv6Tests.Frame(Icmpv6(Address(Client), Address(Vip), Icmpv6Message.TypeEchoRequest, 0, 1, [1, 2, 3, 4]));

        Assert.Equal(VerdictKind.Pass, _director.Process(frame, default, 1).Kind);
    }

    [Fact]
    public void PacketTooBig_ForwardedNatPacket_QuotesTheClientsPacketFromTheVip()
    {
        byte[] frame = DirectorIpv6Tests.Frame(Tcp(Client, 40000, Vip, 80, Ack, payload: new byte[1400]));
        Assert.Equal(VerdictKind.Forward, _director.Process(frame, default, 1).Kind); // now client -> RS:8080

        byte[] output = new byte[Icmpv6Builder.MaxErrorLength];
        int n = _director.PacketTooBig(frame, 1280, output, out InetAddress client);

        Assert.True(n is > 48 and <= 1280);
        Assert.Equal(Client, client.ToString());
        byte[] icmp = output[..n];
        Assert.Equal((Vip, Client), (At(icmp, 8), At(icmp, 24)));
        Assert.Equal((Icmpv6Message.TypePacketTooBig, 1280u), (icmp[40], BinaryPrimitives.ReadUInt32BigEndian(icmp.AsSpan(44))));
        Assert.Equal((Client, Vip), (At(icmp, 48 + 8), At(icmp, 48 + 24)));   // the quote as the client sent it
        Assert.Equal(80, BinaryPrimitives.ReadUInt16BigEndian(icmp.AsSpan(48 + 40 + 2)));
        Assert.Equal(64, icmp[48 + 7]);
        Assert.True(ReferenceVerify(icmp[8..24], icmp[24..40], 58, icmp.AsSpan(40)));
    }

    [Fact]
    public void PacketTooBig_NotOurConnection_WritesNothing()
    {
        byte[] frame = DirectorIpv6Tests.Frame(Tcp(Client, 41234, Rs, 8080, Ack, payload: new byte[1400]));

        Assert.Equal(0, _director.PacketTooBig(frame, 1280, new byte[Icmpv6Builder.MaxErrorLength], out _));
    }
}
