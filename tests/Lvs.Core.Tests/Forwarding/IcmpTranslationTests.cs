using System.Buffers.Binary;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests.Forwarding;

/// <summary>
/// ICMP errors about forwarded connections (ip_vs_in_icmp / ip_vs_out_icmp). Expected frames are built
/// from scratch with <see cref="PacketBuilder"/>, whose checksums share no code with the core.
/// </summary>
public class IcmpTranslationTests
{
    private const byte DestUnreachable = 3, FragNeeded = 4, PortUnreachable = 3, TimeExceeded = 11;
    private const int Eth = PacketBuilder.EthernetLength;
    private static readonly uint Client = GoldenPackets.ClientAddress;
    private static readonly uint Vip = GoldenPackets.VipAddress;
    private static readonly uint Rs = GoldenPackets.RealServerAddress;
    private static readonly uint Router = Ipv4.Parse("198.51.100.1");

    private readonly ServiceTable _services = GoldenPackets.CreateAllServices();
    private readonly Director _director;

    public IcmpTranslationTests()
    {
        _director = new Director(_services);
        Assert.Equal(VerdictKind.Forward, _director.Process(GoldenPackets.TcpSyn.Input, default, 0).Kind);
        Assert.Equal(VerdictKind.Forward, _director.Process(GoldenPackets.UdpRequest.Input, default, 0).Kind);
    }

    /// <summary>The reply VIP:80 -> client:40000 as the client received it (TTL 63).</summary>
    private static byte[] NatReplyQuote => PacketBuilder.Quote(GoldenPackets.TcpSynAck.Output);

    [Fact]
    public void Process_NatFragNeededFromClientSide_TranslatedToTheRealServersView()
    {
        byte[] frame = PacketBuilder.IcmpError(Router, Vip, DestUnreachable, FragNeeded, NatReplyQuote, rest: 1400);
        byte[] expectedQuote = Patch(NatReplyQuote, 12, Rs, 20, 8080);
        byte[] expected = PacketBuilder.IcmpError(Router, Rs, DestUnreachable, FragNeeded, expectedQuote, rest: 1400, ttl: 63);

        Verdict verdict = _director.Process(frame, default, 1);

        Assert.Equal(VerdictKind.Forward, verdict.Kind);
        Assert.Equal(Ipv4.Format(Rs), Ipv4.Format(verdict.NextHop.V4));
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(frame));
        AssertChecksums(frame);
    }

    [Fact]
    public void Process_NatIcmpQuotingHeaderWithOptions_RewritesPortsAfterTheOptions()
    {
        byte[] quote = WithOptions(NatReplyQuote);
        byte[] frame = PacketBuilder.IcmpError(Router, Vip, TimeExceeded, 0, quote);
        byte[] expected = PacketBuilder.IcmpError(Router, Rs, TimeExceeded, 0, Patch(quote, 12, Rs, 24, 8080), ttl: 63);

        Verdict verdict = _director.Process(frame, default, 1);

        Assert.Equal(VerdictKind.Forward, verdict.Kind);
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(frame));
    }

    [Fact]
    public void Process_NatPortUnreachableFromRealServer_TranslatedToTheClientsView()
    {
        // The real server got client:5353 -> 10.0.0.11:5300 and answers port unreachable to the client.
        byte[] quote = PacketBuilder.Quote(GoldenPackets.UdpRequest.Output);
        byte[] frame = PacketBuilder.IcmpError(Rs, Client, DestUnreachable, PortUnreachable, quote);
        byte[] expected = PacketBuilder.IcmpError(Vip, Client, DestUnreachable, PortUnreachable, Patch(quote, 16, Vip, 22, 53), ttl: 63);
        RealServer udpServer = _services.Lookup(GoldenPackets.UdpService)!.Destinations[0];
        long outBefore = udpServer.Counters.Totals.OutPackets;

        Verdict verdict = _director.Process(frame, default, 1);

        Assert.Equal(VerdictKind.Forward, verdict.Kind);
        Assert.Equal(Ipv4.Format(Client), Ipv4.Format(verdict.NextHop.V4));
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(frame));
        AssertChecksums(frame);
        Assert.Equal(outBefore + 1, udpServer.Counters.Totals.OutPackets);
    }

    [Fact]
    public void Process_NatIcmpFromInsideRouter_SourceBecomesTheVip()
    {
        byte[] quote = PacketBuilder.Quote(GoldenPackets.UdpRequest.Output);
        byte[] frame = PacketBuilder.IcmpError(Ipv4.Parse("10.0.0.1"), Client, TimeExceeded, 0, quote);
        byte[] expected = PacketBuilder.IcmpError(Vip, Client, TimeExceeded, 0, Patch(quote, 16, Vip, 22, 53), ttl: 63);

        Verdict verdict = _director.Process(frame, default, 1);

        Assert.Equal(VerdictKind.Forward, verdict.Kind);
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(frame));
    }

    [Fact]
    public void Process_NatIcmpWithBadChecksum_Dropped()
    {
        byte[] frame = PacketBuilder.IcmpError(Router, Vip, DestUnreachable, FragNeeded, NatReplyQuote, rest: 1400);
        frame[Eth + 20 + 2] ^= 0x5A;

        Verdict verdict = _director.Process(frame, default, 1);

        Assert.Equal(DropReason.IcmpChecksum, verdict.Reason);
    }

    [Fact]
    public void Process_DrIcmpQuotingReply_ForwardedToRealServerWithOnlyTtlChanged()
    {
        Assert.Equal(VerdictKind.Forward, _director.Process(GoldenPackets.DrSyn.Input, default, 0).Kind);
        byte[] reply = PacketBuilder.Tcp(GoldenPackets.DrVipAddress, 80, Client, 40000, TcpSegment.Syn | TcpSegment.Ack);
        byte[] frame = PacketBuilder.IcmpError(Router, GoldenPackets.DrVipAddress, DestUnreachable, FragNeeded, PacketBuilder.Quote(reply), rest: 1280);
        byte[] expected = PacketBuilder.IcmpError(Router, GoldenPackets.DrVipAddress, DestUnreachable, FragNeeded, PacketBuilder.Quote(reply), rest: 1280, ttl: 63);

        Verdict verdict = _director.Process(frame, default, 1);

        Assert.Equal(VerdictKind.Forward, verdict.Kind);
        Assert.Equal(Ipv4.Format(GoldenPackets.DrServerAddress), Ipv4.Format(verdict.NextHop.V4));
        Assert.Equal(expected, frame);
    }

    [Fact]
    public void Process_TunIcmpQuotingReply_TunnelledToThatRealServer()
    {
        Verdict syn = _director.Process(Convert.FromHexString(GoldenPackets.TunSynInputHex), default, 0);
        Assert.Equal(VerdictKind.Tunnel, syn.Kind);
        byte[] reply = PacketBuilder.Tcp(GoldenPackets.TunVipAddress, 80, Client, 40000, TcpSegment.Syn | TcpSegment.Ack);
        byte[] frame = PacketBuilder.IcmpError(Router, GoldenPackets.TunVipAddress, DestUnreachable, FragNeeded, PacketBuilder.Quote(reply), rest: 1280);
        byte[] expected = PacketBuilder.IcmpError(Router, GoldenPackets.TunVipAddress, DestUnreachable, FragNeeded, PacketBuilder.Quote(reply), rest: 1280, ttl: 63);

        Verdict verdict = _director.Process(frame, default, 1);

        Assert.Equal(VerdictKind.Tunnel, verdict.Kind);
        Assert.Equal(syn.NextHop, verdict.NextHop);
        Assert.Equal(syn.Tunnel, verdict.Tunnel);
        Assert.Equal(expected, frame);
    }

    [Fact]
    public void Process_DrIcmpFromRealServerSide_Passes()
    {
        // An error about client -> RIP:80 of a DR connection came from the real server's side: not the director's to send.
        Assert.Equal(VerdictKind.Forward, _director.Process(GoldenPackets.DrSyn.Input, default, 0).Kind);
        byte[] quote = PacketBuilder.Quote(PacketBuilder.Tcp(Client, 40000, GoldenPackets.DrServerAddress, 80, TcpSegment.Syn));

        AssertPassesUnchanged(PacketBuilder.IcmpError(GoldenPackets.DrServerAddress, Client, DestUnreachable, PortUnreachable, quote));
    }

    [Fact]
    public void Process_IcmpAboutNoKnownConnection_Passes()
    {
        byte[] unknownPort = PacketBuilder.Quote(PacketBuilder.Tcp(Vip, 80, Client, 40999, TcpSegment.Ack));
        byte[] unknownClient = PacketBuilder.Quote(PacketBuilder.Tcp(Vip, 80, Ipv4.Parse("198.51.100.3"), 40000, TcpSegment.Ack));
        byte[] wrongProtocol = PacketBuilder.Quote(PacketBuilder.Udp(Vip, 80, Client, 40000, [1, 2, 3, 4]));

        AssertPassesUnchanged(PacketBuilder.IcmpError(Router, Vip, DestUnreachable, FragNeeded, unknownPort, rest: 1400));
        AssertPassesUnchanged(PacketBuilder.IcmpError(Router, Vip, DestUnreachable, FragNeeded, unknownClient, rest: 1400));
        AssertPassesUnchanged(PacketBuilder.IcmpError(Router, Vip, DestUnreachable, FragNeeded, wrongProtocol, rest: 1400));
    }

    [Fact]
    public void Process_IcmpEchoToVip_Passes()
    {
        byte[] echo = PacketBuilder.IcmpError(Client, Vip, IcmpMessage.TypeEchoRequest, 0, NatReplyQuote);

        AssertPassesUnchanged(echo);
    }

    public static TheoryData<string> MalformedQuotes => new()
    {
        "quote-ip-header-only",
        "quote-one-port-byte-short",
        "quote-ihl-4",
        "quote-ihl-0",
        "quote-ihl-15-past-end",
        "quote-version-6",
        "quote-icmp-protocol",
        "quote-later-fragment",
        "icmp-shorter-than-header",
        "no-quote",
    };

    [Theory]
    [MemberData(nameof(MalformedQuotes))]
    public void Process_MalformedIcmpError_PassesWithoutThrowing(string kind)
    {
        byte[] quote = NatReplyQuote;
        switch (kind)
        {
            case "quote-ip-header-only":
                quote = quote[..20];
                break;
            case "quote-one-port-byte-short":
                quote = quote[..27];
                break;
            case "quote-ihl-4":
                quote[0] = 0x44;
                break;
            case "quote-ihl-0":
                quote[0] = 0x40;
                break;
            case "quote-ihl-15-past-end":
                quote[0] = 0x4F;
                break;
            case "quote-version-6":
                quote[0] = 0x65;
                break;
            case "quote-icmp-protocol":
                quote[9] = 1;
                break;
            case "quote-later-fragment":
                quote[6] = 0x00;
                quote[7] = 0xB9; // offset 185 * 8
                break;
            case "no-quote":
                quote = [];
                break;
        }

        byte[] frame = PacketBuilder.IcmpError(Router, Vip, DestUnreachable, FragNeeded, quote, rest: 1400);
        if (kind == "icmp-shorter-than-header")
        {
            frame = frame[..(Eth + 20 + 6)];
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(Eth + 2), 26);
            PacketBuilder.FillIpChecksum(frame);
        }

        AssertPassesUnchanged(frame);
    }

    [Fact]
    public void Process_IcmpErrorThatIsAFragment_Passes()
    {
        byte[] frame = PacketBuilder.IcmpError(Router, Vip, DestUnreachable, FragNeeded, NatReplyQuote, rest: 1400);
        frame[Eth + 6] = 0x20; // MF
        PacketBuilder.FillIpChecksum(frame);

        AssertPassesUnchanged(frame);
    }

    [Fact]
    public void Process_IcmpAboutConnectionWithBadIpChecksum_DropsIpChecksum()
    {
        byte[] frame = PacketBuilder.IcmpError(Router, Vip, DestUnreachable, FragNeeded, NatReplyQuote, rest: 1400);
        frame[Eth + 10] ^= 0x01;

        Assert.Equal(DropReason.IpChecksum, _director.Process(frame, default, 1).Reason);
    }

    [Fact]
    public void Process_IcmpAboutConnectionWithTtlOne_DropsTtlExceeded()
    {
        byte[] frame = PacketBuilder.IcmpError(Router, Vip, DestUnreachable, FragNeeded, NatReplyQuote, rest: 1400, ttl: 1);

        Assert.Equal(DropReason.TtlExceeded, _director.Process(frame, default, 1).Reason);
    }

    private void AssertPassesUnchanged(byte[] frame)
    {
        byte[] before = (byte[])frame.Clone();

        Verdict verdict = _director.Process(frame, default, 1);

        Assert.Equal(VerdictKind.Pass, verdict.Kind);
        Assert.Equal(before, frame);
    }

    /// <summary>Outer IP, ICMP and quoted IP checksums all verify.</summary>
    private static void AssertChecksums(byte[] frame)
    {
        Assert.True(PacketBuilder.IpChecksumValid(frame));
        Assert.Equal(0xFFFF, PacketBuilder.FoldedSum(frame.AsSpan(Eth + 20)));
        Assert.True(PacketBuilder.Ipv4HeaderChecksumValid(frame.AsSpan(Eth + 28)));
    }

    /// <summary>A copy of a quote with one address and one port replaced and its header checksum recomputed.</summary>
    private static byte[] Patch(byte[] quote, int addressOffset, uint address, int portOffset, ushort port)
    {
        byte[] q = (byte[])quote.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(q.AsSpan(addressOffset), address);
        BinaryPrimitives.WriteUInt16BigEndian(q.AsSpan(portOffset), port);
        int ihl = (q[0] & 0x0F) * 4;
        q[10] = q[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(q.AsSpan(10), (ushort)~PacketBuilder.FoldedSum(q.AsSpan(0, ihl)));
        return q;
    }

    /// <summary>The quote with 4 bytes of NOP options in its IP header (IHL 6).</summary>
    private static byte[] WithOptions(byte[] quote)
    {
        byte[] q = [.. quote[..20], 1, 1, 1, 0, .. quote[20..]];
        q[0] = 0x46;
        BinaryPrimitives.WriteUInt16BigEndian(q.AsSpan(2), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(q.AsSpan(2)) + 4));
        return Patch(q, 12, BinaryPrimitives.ReadUInt32BigEndian(q.AsSpan(12)), 24, BinaryPrimitives.ReadUInt16BigEndian(q.AsSpan(24)));
    }
}
