using Lvs.Core.Packets;
using B = Lvs.Core.Tests.TestSupport.Ipv6PacketBuilder;

namespace Lvs.Core.Tests.Packets;

public class Ipv6ExtensionHeadersTests
{
    private static readonly byte[] Client = B.Address("2001:db8:c::2");
    private static readonly byte[] Vip = B.Address("2001:db8:a::1");

    private static byte[] Ports => [0x9C, 0x40, 0x00, 0x50, 0, 0, 0, 0];

    [Theory]
    [InlineData(6)]
    [InlineData(17)]
    [InlineData(58)]
    [InlineData(59)]
    [InlineData(50)]
    [InlineData(51)]
    [InlineData(41)]
    [InlineData(253)]
    public void Walk_NoExtensions_StopsAtFirstNextHeader(byte protocol)
    {
        byte[] packet = B.Packet(Client, Vip, protocol, Ports);

        Assert.Equal(Ipv6WalkResult.Ok, Ipv6ExtensionHeaders.Walk(packet, out Ipv6UpperLayer upper));
        Assert.Equal(protocol, upper.Protocol);
        Assert.Equal(40, upper.Offset);
    }

    [Fact]
    public void Walk_HopByHopDestinationRoutingDestination_SkipsAllToTcp()
    {
        byte[] chain = [.. B.Extension(60), .. B.Extension(43, 1), .. B.Extension(60, 2), .. B.Extension(6), .. Ports];
        byte[] packet = B.Packet(Client, Vip, 0, chain);

        Assert.Equal(Ipv6WalkResult.Ok, Ipv6ExtensionHeaders.Walk(packet, out Ipv6UpperLayer upper));
        Assert.Equal(Ipv6Packet.NextHeaderTcp, upper.Protocol);
        Assert.Equal(40 + 8 + 16 + 24 + 8, upper.Offset);
        Assert.False(upper.HasFragmentHeader);
    }

    [Fact]
    public void Walk_FirstFragment_ReportsFragmentAndUpperLayer()
    {
        byte[] packet = B.Packet(Client, Vip, 44, [.. B.Fragment(17, 0, more: true, id: 0xCAFEBABE), .. Ports]);

        Assert.Equal(Ipv6WalkResult.Ok, Ipv6ExtensionHeaders.Walk(packet, out Ipv6UpperLayer upper));
        Assert.Equal(Ipv6Packet.NextHeaderUdp, upper.Protocol);
        Assert.Equal(48, upper.Offset);
        Assert.True(upper.HasFragmentHeader);
        Assert.True(upper.MoreFragments);
        Assert.Equal(0, upper.FragmentOffset);
        Assert.Equal(0xCAFEBABEu, upper.FragmentIdentification);
        Assert.True(upper.IsFragment);
    }

    [Fact]
    public void Walk_LaterFragment_StopsAfterFragmentHeader()
    {
        // The payload of a later fragment is not a header: it must not be walked as one.
        byte[] notAHeader = [0, 0xFF, 0, 0, 0, 0, 0, 0];
        byte[] packet = B.Packet(Client, Vip, 0, [.. B.Extension(44), .. B.Fragment(0, 1448, more: false, id: 7), .. notAHeader]);

        Assert.Equal(Ipv6WalkResult.Ok, Ipv6ExtensionHeaders.Walk(packet, out Ipv6UpperLayer upper));
        Assert.Equal(0, upper.Protocol);
        Assert.Equal(56, upper.Offset);
        Assert.Equal(1448, upper.FragmentOffset);
        Assert.False(upper.MoreFragments);
        Assert.True(upper.IsFragment);
    }

    [Fact]
    public void Walk_AtomicFragment_NotAFragment()
    {
        byte[] packet = B.Packet(Client, Vip, 44, [.. B.Fragment(6, 0, more: false, id: 1), .. Ports]);

        Assert.Equal(Ipv6WalkResult.Ok, Ipv6ExtensionHeaders.Walk(packet, out Ipv6UpperLayer upper));
        Assert.True(upper.HasFragmentHeader);
        Assert.False(upper.IsFragment);
        Assert.Equal(Ipv6Packet.NextHeaderTcp, upper.Protocol);
    }

    [Fact]
    public void Walk_UpperLayerAbsent_OkWithOffsetAtEnd()
    {
        byte[] packet = B.Packet(Client, Vip, 60, B.Extension(6));

        Assert.Equal(Ipv6WalkResult.Ok, Ipv6ExtensionHeaders.Walk(packet, out Ipv6UpperLayer upper));
        Assert.Equal(packet.Length, upper.Offset);
    }

    [Fact]
    public void Walk_HopByHopNotFirst_Malformed()
    {
        byte[] packet = B.Packet(Client, Vip, 60, [.. B.Extension(0), .. B.Extension(6), .. Ports]);

        Assert.Equal(Ipv6WalkResult.Malformed, Ipv6ExtensionHeaders.Walk(packet, out _));
    }

    [Fact]
    public void Walk_TwoFragmentHeaders_Malformed()
    {
        byte[] packet = B.Packet(Client, Vip, 44, [.. B.Fragment(44, 0, true, 1), .. B.Fragment(6, 0, true, 1), .. Ports]);

        Assert.Equal(Ipv6WalkResult.Malformed, Ipv6ExtensionHeaders.Walk(packet, out _));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(44)]
    [InlineData(43)]
    [InlineData(60)]
    public void Walk_ExtensionHeaderCutShort_Truncated(byte first)
    {
        byte[] header = first == 44 ? B.Fragment(6, 0, false, 1) : B.Extension(6, 1);
        byte[] packet = B.Packet(Client, Vip, first, header);

        Assert.Equal(Ipv6WalkResult.Ok, Ipv6ExtensionHeaders.Walk(packet, out _));
        Assert.Equal(Ipv6WalkResult.Truncated, Ipv6ExtensionHeaders.Walk(packet.AsSpan(0, packet.Length - 1), out _));
        Assert.Equal(Ipv6WalkResult.Truncated, Ipv6ExtensionHeaders.Walk(packet.AsSpan(0, 41), out _));
    }

    [Fact]
    public void Walk_LengthFieldPastPacket_Truncated()
    {
        byte[] header = B.Extension(6);
        header[1] = 200;
        byte[] packet = B.Packet(Client, Vip, 60, [.. header, .. Ports]);

        Assert.Equal(Ipv6WalkResult.Truncated, Ipv6ExtensionHeaders.Walk(packet, out _));
    }

    [Fact]
    public void Walk_ShorterThanFixedHeader_Truncated()
    {
        Assert.Equal(Ipv6WalkResult.Truncated, Ipv6ExtensionHeaders.Walk(new byte[39], out _));
    }

    [Fact]
    public void Walk_ChainAtTheLimit_OkAndOneMore_TooManyHeaders()
    {
        Assert.Equal(Ipv6WalkResult.Ok, Ipv6ExtensionHeaders.Walk(DestinationChain(Ipv6ExtensionHeaders.MaxExtensionHeaders), out Ipv6UpperLayer upper));
        Assert.Equal(40 + (8 * Ipv6ExtensionHeaders.MaxExtensionHeaders), upper.Offset);
        Assert.Equal(Ipv6WalkResult.TooManyHeaders,
            Ipv6ExtensionHeaders.Walk(DestinationChain(Ipv6ExtensionHeaders.MaxExtensionHeaders + 1), out _));
    }

    [Fact]
    public void Walk_SelfReferencingChainFillingJumboFrame_EndsBounded()
    {
        // 8,000 destination-options headers, each pointing at another: the cap ends the walk early.
        Assert.Equal(Ipv6WalkResult.TooManyHeaders, Ipv6ExtensionHeaders.Walk(DestinationChain(8000), out _));
    }

    private static byte[] DestinationChain(int count)
    {
        var payload = new List<byte>();
        for (int i = 0; i < count; i++)
        {
            payload.AddRange(B.Extension(i == count - 1 ? (byte)6 : (byte)60));
        }

        payload.AddRange(Ports);
        return B.Packet(Client, Vip, 60, payload.ToArray());
    }
}
