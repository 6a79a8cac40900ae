using Lvs.Core.Packets;
using Lvs.Core.Tests.TestSupport;
using B = Lvs.Core.Tests.TestSupport.Ipv6PacketBuilder;

namespace Lvs.Core.Tests.Packets;

public class Icmpv6ErrorViewTests
{
    private static readonly byte[] Router = B.Address("2001:db8:c::fe");
    private static readonly byte[] Client = B.Address("2001:db8:c::2");

    /// <summary>A reply from the VIP to the client, as a router on the way back would quote it.</summary>
    private static byte[] Offending(byte[]? extensions = null, byte first = 6) =>
        B.Tcp("2001:db8:a::1", 80, "2001:db8:c::2", 40000, TcpSegment.Ack, new byte[32], extensions: extensions, firstNextHeader: first);

    private static byte[] ErrorMessage(byte type, ReadOnlySpan<byte> quote) => B.Icmpv6(Router, Client, type, 0, 1400, quote)[40..];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void TryCreate_ErrorQuotingTcp_ReadsInnerTuple(byte type)
    {
        byte[] icmp = ErrorMessage(type, Offending());

        Assert.True(Icmpv6ErrorView.TryCreate(icmp, out Icmpv6ErrorView view));
        Assert.Equal(type, view.Type);
        Assert.Equal(0, view.Code);
        Assert.Equal(1400u, view.Parameter);
        Assert.Equal(Ipv6Packet.NextHeaderTcp, view.InnerProtocol);
        Assert.Equal(40, view.InnerUpperLayerOffset);
        Assert.Equal(Ipv6Address.Parse("2001:db8:a::1"), view.InnerSource);
        Assert.Equal(Ipv6Address.Parse("2001:db8:c::2"), view.InnerDestination);
        Assert.Equal(80, view.InnerSourcePort);
        Assert.Equal(40000, view.InnerDestinationPort);
        Assert.Equal(icmp.Length - 8, view.Quoted.Length);
    }

    [Fact]
    public void TryCreate_QuoteWithExtensionsAndFirstFragment_FindsPorts()
    {
        byte[] chain = [.. B.Extension(44), .. B.Fragment(6, 0, more: true, id: 9)];
        byte[] icmp = ErrorMessage(2, Offending(chain, first: 60));

        Assert.True(Icmpv6ErrorView.TryCreate(icmp, out Icmpv6ErrorView view));
        Assert.Equal(56, view.InnerUpperLayerOffset);
        Assert.Equal(80, view.InnerSourcePort);
        Assert.Equal(40000, view.InnerDestinationPort);
    }

    [Fact]
    public void TryCreate_QuoteCutAfterPorts_Accepted()
    {
        byte[] icmp = ErrorMessage(1, Offending().AsSpan(0, 48));

        Assert.True(Icmpv6ErrorView.TryCreate(icmp, out Icmpv6ErrorView view));
        Assert.Equal(40000, view.InnerDestinationPort);
    }

    [Fact]
    public void TryCreate_QuotedUdp_Accepted()
    {
        byte[] udp = B.Udp("2001:db8:a::1", 53, "2001:db8:c::2", 40000, new byte[12]);

        Assert.True(Icmpv6ErrorView.TryCreate(ErrorMessage(1, udp), out Icmpv6ErrorView view));
        Assert.Equal(Ipv6Packet.NextHeaderUdp, view.InnerProtocol);
        Assert.Equal(53, view.InnerSourcePort);
    }

    [Fact]
    public void TryCreate_InformationalType_Rejected()
    {
        Assert.False(Icmpv6ErrorView.TryCreate(ErrorMessage(128, Offending()), out _));
        Assert.False(Icmpv6ErrorView.TryCreate(ErrorMessage(0, Offending()), out _));
        Assert.False(Icmpv6ErrorView.TryCreate(ErrorMessage(5, Offending()), out _));
    }

    [Fact]
    public void TryCreate_QuoteTooShortForPorts_Rejected()
    {
        Assert.False(Icmpv6ErrorView.TryCreate(ErrorMessage(1, Offending().AsSpan(0, 47)), out _));
        Assert.False(Icmpv6ErrorView.TryCreate(ErrorMessage(1, Offending().AsSpan(0, 39)), out _));
        Assert.False(Icmpv6ErrorView.TryCreate(new byte[7], out _));
    }

    [Fact]
    public void TryCreate_QuotedVersionNotSix_Rejected()
    {
        byte[] quote = Offending();
        quote[0] = 0x45;

        Assert.False(Icmpv6ErrorView.TryCreate(ErrorMessage(1, quote), out _));
    }

    [Fact]
    public void TryCreate_QuotedIcmpv6_Rejected()
    {
        byte[] echo = B.Icmpv6(Client, B.Address("2001:db8:a::1"), 128, 0, 0x00010001, new byte[8]);

        Assert.False(Icmpv6ErrorView.TryCreate(ErrorMessage(1, echo), out _));
    }

    [Fact]
    public void TryCreate_QuotedLaterFragment_Rejected()
    {
        byte[] quote = Offending([.. B.Fragment(6, 1448, more: false, id: 3)], first: 44);

        Assert.False(Icmpv6ErrorView.TryCreate(ErrorMessage(1, quote), out _));
    }

    [Fact]
    public void TryCreate_QuotedExtensionHeaderCutShort_Rejected()
    {
        byte[] quote = Offending([.. B.Extension(6, 3)], first: 60);

        Assert.False(Icmpv6ErrorView.TryCreate(ErrorMessage(1, quote.AsSpan(0, 60)), out _));
    }

    [Fact]
    public void Setters_RewriteInnerTupleAndChecksum_VerifiesUnderNewOuterAddresses()
    {
        byte[] icmp = ErrorMessage(3, Offending());
        Icmpv6ErrorView.TryCreate(icmp, out Icmpv6ErrorView view);

        // A NAT director turning a real server's reply back into the VIP's, as ip_vs_nat_icmp_v6.
        view.InnerSource = Ipv6Address.Parse("fd00::10");
        view.InnerSourcePort = 8080;
        view.InnerDestinationPort = 40001;
        view.InnerDestination = Ipv6Address.Parse("2001:db8:c::3");
        byte[] newOuterDst = B.Address("fd00::1");
        view.UpdateChecksum(Ipv6Address.ReadFrom(Router), Ipv6Address.ReadFrom(newOuterDst));

        Assert.Equal(B.Address("fd00::10"), icmp[16..32]);
        Assert.Equal(B.Address("2001:db8:c::3"), icmp[32..48]);
        Assert.Equal(8080, (icmp[48] << 8) | icmp[49]);
        Assert.Equal(40001, (icmp[50] << 8) | icmp[51]);
        Assert.True(B.ReferenceVerify(Router, newOuterDst, 58, icmp));
    }
}
