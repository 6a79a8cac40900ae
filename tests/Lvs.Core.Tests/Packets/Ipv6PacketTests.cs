using Lvs.Core.Packets;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests.Packets;

public class Ipv6PacketTests
{
    private static readonly byte[] Client = Ipv6PacketBuilder.Address("2001:db8:c::2");
    private static readonly byte[] Vip = Ipv6PacketBuilder.Address("2001:db8:a::1");

    [Fact]
    public void TryCreate_CapturedTcpSyn_ReadsEveryField()
    {
        byte[] frame = CapturedIpv6Frames.Frame(CapturedIpv6Frames.TcpSyn);

        Assert.Equal(Ipv6ParseResult.Ok, Ipv6Packet.TryCreate(frame.AsSpan(14), out Ipv6Packet ip));
        Assert.Equal(0, ip.TrafficClass);
        Assert.Equal(0x4D271u, ip.FlowLabel);
        Assert.Equal(40, ip.PayloadLength);
        Assert.Equal(80, ip.TotalLength);
        Assert.Equal(Ipv6Packet.NextHeaderTcp, ip.NextHeader);
        Assert.Equal(64, ip.HopLimit);
        Assert.Equal(Ipv6Address.Parse("2001:db8:c::2"), ip.Source);
        Assert.Equal(Ipv6Address.Parse("2001:db8:c::1"), ip.Destination);
        Assert.Equal(40, ip.Header.Length);
        Assert.Equal(40, ip.Payload.Length);
        Assert.Equal(0x9C, ip.Payload[0]);
    }

    [Fact]
    public void TryCreate_TrafficClassAndFlowLabel_SplitAtTheirBits()
    {
        byte[] packet = Ipv6PacketBuilder.Packet(Client, Vip, 59, [], trafficClass: 0xB8, flowLabel: 0xABCDE);

        Assert.Equal(Ipv6ParseResult.Ok, Ipv6Packet.TryCreate(packet, out Ipv6Packet ip));
        Assert.Equal(0xB8, ip.TrafficClass);
        Assert.Equal(0xABCDEu, ip.FlowLabel);

        ip.TrafficClass = 0x2E;
        Assert.Equal(0x2E, ip.TrafficClass);
        Assert.Equal(0xABCDEu, ip.FlowLabel);
        ip.FlowLabel = 0x12345;
        Assert.Equal(0x2E, ip.TrafficClass);
        Assert.Equal(0x12345u, ip.FlowLabel);
        Assert.Equal(6, packet[0] >> 4);
    }

    [Fact]
    public void TryCreate_EthernetPadding_CutToPayloadLength()
    {
        byte[] packet = Ipv6PacketBuilder.Packet(Client, Vip, 59, [1, 2, 3, 4]);
        byte[] padded = [.. packet, 0, 0, 0, 0, 0, 0];

        Assert.Equal(Ipv6ParseResult.Ok, Ipv6Packet.TryCreate(padded, out Ipv6Packet ip));
        Assert.Equal(44, ip.TotalLength);
        Assert.Equal(4, ip.Payload.Length);
    }

    [Fact]
    public void TryCreate_NoPayload_Accepted()
    {
        byte[] packet = Ipv6PacketBuilder.Packet(Client, Vip, 59, []);

        Assert.Equal(Ipv6ParseResult.Ok, Ipv6Packet.TryCreate(packet, out Ipv6Packet ip));
        Assert.Equal(0, ip.Payload.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(39)]
    public void TryCreate_ShorterThanHeader_Truncated(int length)
    {
        Assert.Equal(Ipv6ParseResult.Truncated, Ipv6Packet.TryCreate(new byte[length], out _));
    }

    [Theory]
    [InlineData(0x45)]
    [InlineData(0x00)]
    [InlineData(0x70)]
    public void TryCreate_VersionNotSix_BadVersion(byte first)
    {
        byte[] packet = Ipv6PacketBuilder.Packet(Client, Vip, 59, [1, 2]);
        packet[0] = first;

        Assert.Equal(Ipv6ParseResult.BadVersion, Ipv6Packet.TryCreate(packet, out _));
    }

    [Fact]
    public void TryCreate_PayloadLengthPastFrame_Rejected()
    {
        byte[] packet = Ipv6PacketBuilder.Packet(Client, Vip, 59, [1, 2, 3, 4]);

        Assert.Equal(Ipv6ParseResult.PayloadLengthPastFrame, Ipv6Packet.TryCreate(packet.AsSpan(0, 43), out _));
    }

    [Fact]
    public void Setters_AddressesAndHopLimit_WriteTheWire()
    {
        byte[] packet = Ipv6PacketBuilder.Packet(Client, Vip, 59, [], hopLimit: 2);
        Ipv6Packet.TryCreate(packet, out Ipv6Packet ip);

        ip.Source = Ipv6Address.Parse("2001:db8:a::1");
        ip.Destination = Ipv6Address.Parse("fd00::10");
        ip.DecrementHopLimit();

        Assert.Equal(Ipv6PacketBuilder.Address("2001:db8:a::1"), packet[8..24]);
        Assert.Equal(Ipv6PacketBuilder.Address("fd00::10"), packet[24..40]);
        Assert.Equal(1, packet[7]);
        ip.HopLimit = 255;
        Assert.Equal(255, packet[7]);
    }

    [Fact]
    public void FindUpperLayer_CapturedUdp_AfterFixedHeader()
    {
        byte[] frame = CapturedIpv6Frames.Frame(CapturedIpv6Frames.Udp);
        Ipv6Packet.TryCreate(frame.AsSpan(14), out Ipv6Packet ip);

        Assert.Equal(Ipv6WalkResult.Ok, ip.FindUpperLayer(out Ipv6UpperLayer upper));
        Assert.Equal(Ipv6Packet.NextHeaderUdp, upper.Protocol);
        Assert.Equal(40, upper.Offset);
        Assert.False(upper.HasFragmentHeader);
        Assert.False(upper.IsFragment);
    }
}
