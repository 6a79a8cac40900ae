using System.Buffers.Binary;
using Lvs.Core.Connections;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;
using static Lvs.Core.Tests.TestSupport.Ipv6PacketBuilder;

namespace Lvs.Core.Tests;

/// <summary>
/// IPv6 through <see cref="Director"/> with crafted frames: NAT both ways (checksums checked
/// against the byte-wise reference in <see cref="Ipv6PacketBuilder"/>), DR, extension headers,
/// fragments, UDP checksum zero, and the drops of malformed packets.
/// </summary>
public class DirectorIpv6Tests
{
    internal const string Client = "2001:db8:c::2";
    internal const string Vip = "2001:db8:a::1";
    internal const string Rs = "fd00::11";
    internal const string DrServer = "2001:db8:b::21";
    private const byte Syn = TcpSegment.Syn, Ack = TcpSegment.Ack;
    private const int Eth = 14;

    private static readonly ServiceKey Tcp80 = new(IpProtocol.Tcp, Ipv6Address.Parse(Vip), 80);
    private static readonly ServiceKey Udp53 = new(IpProtocol.Udp, Ipv6Address.Parse(Vip), 53);
    private static readonly ServiceKey Tcp81 = new(IpProtocol.Tcp, Ipv6Address.Parse(Vip), 81);

    private readonly ServiceTable _services = new(workers: 1);
    private readonly Director _director;

    public DirectorIpv6Tests()
    {
        Assert.Equal(TableResult.Ok, _services.AddService(Tcp80, "rr"));
        Assert.Equal(TableResult.Ok, _services.AddServer(Tcp80, Ipv6Address.Parse(Rs), 8080, ForwardMethod.Masquerade, 1));
        Assert.Equal(TableResult.Ok, _services.AddService(Udp53, "rr"));
        Assert.Equal(TableResult.Ok, _services.AddServer(Udp53, Ipv6Address.Parse(Rs), 5353, ForwardMethod.Masquerade, 1));
        Assert.Equal(TableResult.Ok, _services.AddService(Tcp81, "rr"));
        Assert.Equal(TableResult.Ok, _services.AddServer(Tcp81, Ipv6Address.Parse(DrServer), 81, ForwardMethod.DirectRoute, 1));
        _director = new Director(_services);
        _director.Tick(0);
    }

    internal static byte[] Frame(byte[] ipv6) => Ethernet(PacketBuilder.DirectorMac, PacketBuilder.PeerMac, ipv6);

    private static Span<byte> Ip(byte[] frame) => frame.AsSpan(Eth);

    private static string Source(byte[] frame) => Ipv6Address.ReadFrom(frame.AsSpan(Eth + 8)).ToString();

    private static string Destination(byte[] frame) => Ipv6Address.ReadFrom(frame.AsSpan(Eth + 24)).ToString();

    private static ushort Port(byte[] frame, int l4Offset, int which) => BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(Eth + l4Offset + which));

    private static bool TransportValid(byte[] frame, int l4Offset, byte nextHeader) =>
        ReferenceVerify(frame[(Eth + 8)..(Eth + 24)], frame[(Eth + 24)..(Eth + 40)], nextHeader, frame.AsSpan(Eth + l4Offset));

    [Fact]
    public void Process_NatSyn_RewritesDestinationWithValidChecksum()
    {
        byte[] frame = Frame(Tcp(Client, 40000, Vip, 80, Syn));

        Verdict v = _director.Process(frame, default, 0);

        Assert.Equal(VerdictKind.Forward, v.Kind);
        Assert.Equal(Rs, v.NextHop.ToString());
        Assert.Equal((Client, Rs), (Source(frame), Destination(frame)));
        Assert.Equal((40000, 8080), (Port(frame, 40, 0), Port(frame, 40, 2)));
        Assert.Equal(63, frame[Eth + 7]);
        Assert.True(TransportValid(frame, 40, 6));
        Assert.Equal(1, _director.Connections.Count);
    }

    [Fact]
    public void Process_NatReply_RewritesSourceBackToVip()
    {
        _director.Process(Frame(Tcp(Client, 40000, Vip, 80, Syn)), default, 0);
        byte[] reply = Frame(Tcp(Rs, 8080, Client, 40000, Syn | Ack));

        Verdict v = _director.Process(reply, default, 1);

        Assert.Equal(VerdictKind.Forward, v.Kind);
        Assert.Equal(Client, v.NextHop.ToString());
        Assert.Equal((Vip, Client), (Source(reply), Destination(reply)));
        Assert.Equal((80, 40000), (Port(reply, 40, 0), Port(reply, 40, 2)));
        Assert.True(TransportValid(reply, 40, 6));
        RealServer rs = _services.Lookup(Tcp80)!.Destinations[0];
        Assert.Equal((1L, 1L), (rs.Counters.Totals.InPackets, rs.Counters.Totals.OutPackets));
    }

    [Fact]
    public void Process_NatUdp_ChecksumValidAndNeverZero()
    {
        for (int i = 0; i < 64; i++)
        {
            // Varying payloads walk the checksum through many values, so a zero result would show.
            byte[] frame = Frame(Udp(Client, (ushort)(5000 + i), Vip, 53, [(byte)i, (byte)(i * 7), 0x55]));

            Verdict v = _director.Process(frame, default, i);

            Assert.Equal(VerdictKind.Forward, v.Kind);
            Assert.Equal(5353, Port(frame, 40, 2));
            Assert.True(TransportValid(frame, 40, 17));
            Assert.NotEqual(0, Port(frame, 40, 6));
        }
    }

    [Fact]
    public void Process_NatPartialChecksum_FollowsThePseudoHeader()
    {
        byte[] frame = Frame(Tcp(Client, 40000, Vip, 80, Syn, mode: ChecksumMode.Partial));

        _director.Process(frame, new PacketMeta { ChecksumPartial = true }, 0);

        ushort expected = PacketBuilder.FoldedSum(PseudoHeader(Address(Client), Address(Rs), 6, 20));
        Assert.Equal(expected, Port(frame, 40, 16));
    }

    [Fact]
    public void Process_UdpChecksumZero_DroppedAndCounted()
    {
        byte[] frame = Frame(Udp(Client, 5000, Vip, 53, [1, 2, 3], ChecksumMode.Zero));

        Verdict v = _director.Process(frame, default, 0);

        Assert.Equal(DropReason.Udp6ZeroChecksum, v.Reason);
        Assert.Equal(1, _director.Drops[DropReason.Udp6ZeroChecksum]);
        Assert.Equal(0, _director.Connections.Count);
    }

    [Fact]
    public void Process_ExtensionHeaders_WalkedAndRewritten()
    {
        byte[] ext = [.. Extension(60), .. Extension(6, 1)]; // hop-by-hop -> destination options (16 bytes) -> TCP
        byte[] frame = Frame(Tcp(Client, 40000, Vip, 80, Syn, extensions: ext, firstNextHeader: 0));

        Verdict v = _director.Process(frame, default, 0);

        Assert.Equal(VerdictKind.Forward, v.Kind);
        Assert.Equal(8080, Port(frame, 40 + 24, 2));
        Assert.True(TransportValid(frame, 40 + 24, 6));
    }

    [Fact]
    public void Process_FragmentForVip_DroppedAndCounted()
    {
        byte[] tcp = Tcp(Client, 40000, Vip, 80, Syn)[40..];
        byte[] frame = Frame(Packet(Address(Client), Address(Vip), 44, [.. Fragment(6, 0, more: true, 7), .. tcp]));

        Assert.Equal(DropReason.Fragment, _director.Process(frame, default, 0).Reason);
    }

    [Fact]
    public void Process_FragmentForOtherAddress_LeftToTheKernel()
    {
        byte[] tcp = Tcp(Client, 40000, "2001:db8:a::99", 80, Syn)[40..];
        byte[] frame = Frame(Packet(Address(Client), Address("2001:db8:a::99"), 44, [.. Fragment(6, 8, more: false, 7), .. tcp]));

        Assert.Equal(VerdictKind.Pass, _director.Process(frame, default, 0).Kind);
    }

    [Fact]
    public void Process_TruncatedExtensionChainForVip_Dropped()
    {
        byte[] frame = Frame(Packet(Address(Client), Address(Vip), 0, [6, 3, 0, 0])); // hop-by-hop claiming 32 bytes

        Assert.Equal(DropReason.Ipv6ExtensionHeaders, _director.Process(frame, default, 0).Reason);
    }

    [Fact]
    public void Process_PayloadLengthPastFrame_Dropped()
    {
        byte[] frame = Frame(Tcp(Client, 40000, Vip, 80, Syn));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(Eth + 4), 900);

        Assert.Equal(DropReason.Ipv6PayloadLength, _director.Process(frame, default, 0).Reason);
    }

    [Fact]
    public void Process_HopLimitOne_Dropped()
    {
        byte[] frame = Frame(Tcp(Client, 40000, Vip, 80, Syn, hopLimit: 1));

        Assert.Equal(DropReason.TtlExceeded, _director.Process(frame, default, 0).Reason);
    }

    [Fact]
    public void Process_AckWithoutConnection_DroppedNotScheduled()
    {
        Assert.Equal(DropReason.NoConnection, _director.Process(Frame(Tcp(Client, 40000, Vip, 80, Ack)), default, 0).Reason);
    }

    [Fact]
    public void Process_OtherDestination_Passes()
    {
        Assert.Equal(VerdictKind.Pass, _director.Process(Frame(Tcp(Client, 40000, "2001:db8:a::2", 80, Syn)), default, 0).Kind);
    }

    [Fact]
    public void Process_DirectRoute_OnlyHopLimitChanges()
    {
        byte[] frame = Frame(Tcp(Client, 40000, Vip, 81, Syn));
        byte[] before = (byte[])frame.Clone();

        Verdict v = _director.Process(frame, default, 0);

        Assert.Equal(VerdictKind.Forward, v.Kind);
        Assert.Equal(DrServer, v.NextHop.ToString());
        before[Eth + 7]--;
        Assert.Equal(before, frame);
        Assert.True(_director.Connections.TryFind(IpProtocol.Tcp, Ipv6Address.Parse(Client), 40000, Ipv6Address.Parse(Vip), 81,
            out int i, out PacketDirection d));
        Assert.Equal((PacketDirection.InputOnly, ForwardMethod.DirectRoute), (d, _director.Connections[i].Method));
    }

    [Fact]
    public void Process_Ipv4AndIpv6SameTuple_AreTwoConnections()
    {
        // The v4-mapped form of an IPv4 address never equals an IPv6 address, so families cannot meet.
        Assert.Equal(TableResult.Ok, _services.AddService(new ServiceKey(IpProtocol.Tcp, PacketBuilder.Ip("192.0.2.10"), 80), "rr"));
        _services.AddServer(new ServiceKey(IpProtocol.Tcp, PacketBuilder.Ip("192.0.2.10"), 80), PacketBuilder.Ip("10.0.0.11"), 80, ForwardMethod.Masquerade, 1);

        _director.Process(Frame(Tcp(Client, 40000, Vip, 80, Syn)), default, 0);
        _director.Process(PacketBuilder.Tcp(PacketBuilder.Ip("198.51.100.2"), 40000, PacketBuilder.Ip("192.0.2.10"), 80, Syn), default, 0);

        Assert.Equal(2, _director.Connections.Count);
    }
}
