using System.Buffers.Binary;
using Lvs.Core.Packets;
using Lvs.Core.Tests.TestSupport;
using B = Lvs.Core.Tests.TestSupport.Ipv6PacketBuilder;

namespace Lvs.Core.Tests.Packets;

public class Icmpv6BuilderTests
{
    private static readonly Ipv6Address Director = Ipv6Address.Parse("2001:db8:a::fe");

    [Fact]
    public void PacketTooBig_FullSizeOffender_QuoteCutTo1280Total()
    {
        byte[] offending = B.Tcp("2001:db8:c::2", 40000, "2001:db8:a::1", 80, TcpSegment.Ack, new byte[1500 - 60]);
        byte[] output = new byte[2000];

        int length = Icmpv6Builder.PacketTooBig(output, offending, 1480, Director);

        Assert.Equal(1280, length);
        byte[] ip = output[..length];
        Assert.Equal(0x60, ip[0]);
        Assert.Equal(0, ip[1]);
        Assert.Equal(0, ip[2]);
        Assert.Equal(0, ip[3]);
        Assert.Equal(1240, BinaryPrimitives.ReadUInt16BigEndian(ip.AsSpan(4)));
        Assert.Equal(58, ip[6]);
        Assert.Equal(64, ip[7]);
        Assert.Equal(B.Address("2001:db8:a::fe"), ip[8..24]);
        Assert.Equal(B.Address("2001:db8:c::2"), ip[24..40]);
        Assert.Equal(2, ip[40]);
        Assert.Equal(0, ip[41]);
        Assert.Equal(1480u, BinaryPrimitives.ReadUInt32BigEndian(ip.AsSpan(44)));
        Assert.Equal(offending[..1232], ip[48..]);
        Assert.True(B.ReferenceVerify(ip[8..24], ip[24..40], 58, ip.AsSpan(40)));
    }

    [Fact]
    public void PacketTooBig_SmallOffender_QuotedWhole()
    {
        byte[] offending = B.Udp("2001:db8:c::2", 40000, "2001:db8:a::1", 53, new byte[100]);
        byte[] output = new byte[1280];

        int length = Icmpv6Builder.PacketTooBig(output, offending, 1280, Director);

        Assert.Equal(48 + offending.Length, length);
        Assert.Equal(offending, output[48..length]);
        Assert.True(B.ReferenceVerify(output[8..24], output[24..40], 58, output.AsSpan(40, length - 40)));
    }

    [Fact]
    public void PacketTooBig_Output_ParsesBackThroughTheViews()
    {
        byte[] offending = B.Tcp("2001:db8:c::2", 40000, "2001:db8:a::1", 80, TcpSegment.Ack, new byte[1400]);
        byte[] output = new byte[1280];

        int length = Icmpv6Builder.PacketTooBig(output, offending, 1400, Director);

        Assert.Equal(Ipv6ParseResult.Ok, Ipv6Packet.TryCreate(output.AsSpan(0, length), out Ipv6Packet ip));
        Assert.True(Icmpv6Message.TryCreate(ip.Payload, out Icmpv6Message icmp));
        Assert.True(icmp.ChecksumValid(ip.Source, ip.Destination));
        Assert.Equal(1400u, icmp.Mtu);
        Assert.True(Icmpv6ErrorView.TryCreate(ip.Payload, out Icmpv6ErrorView view));
        Assert.Equal(40000, view.InnerSourcePort);
        Assert.Equal(Ipv6Address.Parse("2001:db8:a::1"), view.InnerDestination);
    }

    [Fact]
    public void Error_TimeExceeded_TypeCodeAndZeroParameter()
    {
        byte[] offending = B.Udp("2001:db8:c::2", 40000, "2001:db8:a::1", 53, new byte[4]);
        byte[] output = new byte[1280];

        int length = Icmpv6Builder.Error(output, Icmpv6Message.TypeTimeExceeded, Icmpv6Message.CodeHopLimitExceeded, 0, offending, Director);

        Assert.Equal(48 + offending.Length, length);
        Assert.Equal(3, output[40]);
        Assert.Equal(0, output[41]);
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(output.AsSpan(44)));
        Assert.True(B.ReferenceVerify(output[8..24], output[24..40], 58, output.AsSpan(40, length - 40)));
    }
}
