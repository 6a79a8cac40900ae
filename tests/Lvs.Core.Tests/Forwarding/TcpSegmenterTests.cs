using System.Buffers.Binary;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests.Forwarding;

public class TcpSegmenterTests
{
    private static byte[] Payload(int n) => [.. Enumerable.Range(0, n).Select(i => (byte)(i * 7))];

    [Fact]
    public void Write_Ipv6SuperPacket_SegmentsWithSequenceFlagsAndValidChecksums()
    {
        byte[] payload = Payload(2500);
        byte[] packet = Ipv6PacketBuilder.Tcp("2001:db8:c::2", 40000, "2001:db8:a::1", 80, TcpSegment.Ack | TcpSegment.Psh, payload);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(40 + 4), 1000);
        int headers = TcpSegmenter.HeaderLength(packet, ipv6: true);
        Assert.Equal(60, headers);
        Assert.Equal(3, TcpSegmenter.Count(packet, headers, 1000));

        var output = new byte[2000];
        var joined = new List<byte>();
        for (int i = 0; i < 3; i++)
        {
            int length = TcpSegmenter.Write(packet, true, headers, 1000, i, output);
            Span<byte> seg = output.AsSpan(0, length);
            Assert.Equal(60 + (i < 2 ? 1000 : 500), length);
            Assert.Equal(length - 40, BinaryPrimitives.ReadUInt16BigEndian(seg[4..]));
            Assert.Equal(1000u + (uint)(i * 1000), BinaryPrimitives.ReadUInt32BigEndian(seg[44..]));
            Assert.Equal(i == 2, (seg[40 + 13] & TcpSegment.Psh) != 0);
            Assert.True(Checksum6.Verify(Ipv6Address.ReadFrom(seg[8..]), Ipv6Address.ReadFrom(seg[24..]), 6, seg[40..]));
            joined.AddRange(seg[60..].ToArray());
        }

        Assert.Equal(payload, joined);
    }

    [Fact]
    public void Write_Ipv4SuperPacket_SegmentsWithIdsAndValidChecksums()
    {
        byte[] payload = Payload(3000);
        uint src = Ipv4.Parse("198.51.100.2"), dst = Ipv4.Parse("192.0.2.10");
        byte[] packet = PacketBuilder.Tcp(src, 40000, dst, 80, TcpSegment.Ack | TcpSegment.Fin, seq: 7, payload: payload)[PacketBuilder.EthernetLength..];
        int headers = TcpSegmenter.HeaderLength(packet, ipv6: false);
        Assert.Equal(40, headers);
        var output = new byte[2000];
        for (int i = 0; i < 2; i++)
        {
            int length = TcpSegmenter.Write(packet, false, headers, 1460, i, output);
            Span<byte> seg = output.AsSpan(0, length);
            Assert.Equal(length, BinaryPrimitives.ReadUInt16BigEndian(seg[2..]));
            Assert.Equal(0, Checksum.Compute(seg[..20]));
            Assert.Equal(0, Checksum.Compute(seg[20..], Checksum.PseudoHeader(src, dst, 6, length - 20)) & 0xFFFF);
            Assert.Equal(7u + (uint)(i * 1460), BinaryPrimitives.ReadUInt32BigEndian(seg[24..]));
            Assert.Equal(i == 2, (seg[33] & TcpSegment.Fin) != 0);
        }

        Assert.Equal(3, TcpSegmenter.Count(packet, headers, 1460));
        Assert.Equal(80 + 40, TcpSegmenter.Write(packet, false, headers, 1460, 2, output));
        Assert.NotEqual(0, output[33] & TcpSegment.Fin);
    }

    [Fact]
    public void HeaderLength_NotTcpOrTruncated_MinusOne()
    {
        byte[] udp = Ipv6PacketBuilder.Udp("2001:db8:c::2", 5353, "2001:db8:a::1", 53, [1, 2, 3]);
        Assert.Equal(-1, TcpSegmenter.HeaderLength(udp, ipv6: true));
        byte[] tcp = Ipv6PacketBuilder.Tcp("2001:db8:c::2", 40000, "2001:db8:a::1", 80, TcpSegment.Ack);
        Assert.Equal(-1, TcpSegmenter.HeaderLength(tcp.AsSpan(0, 50), ipv6: true));
    }
}
