using System.Buffers.Binary;
using Lvs.Core.Packets;
using Lvs.Core.Tests.TestSupport;
using B = Lvs.Core.Tests.TestSupport.Ipv6PacketBuilder;

namespace Lvs.Core.Tests.Packets;

public class Checksum6Tests
{
    [Theory]
    [InlineData(CapturedIpv6Frames.TcpSyn, 6, 16, 0xB9A7)]
    [InlineData(CapturedIpv6Frames.Udp, 17, 6, 0x0C7C)]
    [InlineData(CapturedIpv6Frames.EchoRequest, 58, 2, 0x4123)]
    [InlineData(CapturedIpv6Frames.NeighbourSolicitation, 58, 2, 0x1C07)]
    [InlineData(CapturedIpv6Frames.DadSolicitation, 58, 2, 0xA1A9)]
    [InlineData(CapturedIpv6Frames.NeighbourAdvertisement, 58, 2, 0x8A45)]
    [InlineData(CapturedIpv6Frames.UnsolicitedAdvertisement, 58, 2, 0x5980)]
    public void Transport_CapturedKernelFrames_SameChecksum(string hex, byte nextHeader, int checksumOffset, int expected)
    {
        byte[] frame = CapturedIpv6Frames.Frame(hex);
        Span<byte> ip = frame.AsSpan(14);
        var source = Ipv6Address.ReadFrom(ip[8..]);
        var destination = Ipv6Address.ReadFrom(ip[24..]);
        Span<byte> segment = ip[40..];

        Assert.True(Checksum6.Verify(source, destination, nextHeader, segment));
        Assert.Equal(expected, BinaryPrimitives.ReadUInt16BigEndian(segment[checksumOffset..]));
        BinaryPrimitives.WriteUInt16BigEndian(segment[checksumOffset..], 0);
        Assert.False(Checksum6.Verify(source, destination, nextHeader, segment));
        Assert.Equal(expected, Checksum6.Transport(source, destination, nextHeader, segment));
    }

    [Fact]
    public void Verify_WrongNextHeaderOrAddress_Fails()
    {
        byte[] frame = CapturedIpv6Frames.Frame(CapturedIpv6Frames.TcpSyn);
        Span<byte> ip = frame.AsSpan(14);
        var source = Ipv6Address.ReadFrom(ip[8..]);
        var destination = Ipv6Address.ReadFrom(ip[24..]);

        Assert.False(Checksum6.Verify(source, destination, 17, ip[40..]));
        Assert.False(Checksum6.Verify(source, Ipv6Address.Parse("2001:db8:c::3"), 6, ip[40..]));
    }

    [Fact]
    public void PseudoHeader_RandomInputs_EqualsReferenceBytes()
    {
        var random = new Random(8200);
        byte[] src = new byte[16];
        byte[] dst = new byte[16];
        for (int n = 0; n < 1000; n++)
        {
            random.NextBytes(src);
            random.NextBytes(dst);
            byte nextHeader = (byte)random.Next(256);
            int length = random.Next(0, 1 << 20); // lengths above 65535 exercise the 32-bit length field

            ushort expected = PacketBuilder.FoldedSum(B.PseudoHeader(src, dst, nextHeader, length));

            Assert.Equal(expected, Checksum.Fold(Checksum6.PseudoHeader(Ipv6Address.ReadFrom(src), Ipv6Address.ReadFrom(dst), nextHeader, length)));
            Assert.Equal(expected, Checksum6.Partial(Ipv6Address.ReadFrom(src), Ipv6Address.ReadFrom(dst), nextHeader, length));
        }
    }

    [Fact]
    public void Udp_ComputedZero_SentAsAllOnes()
    {
        byte[] src = B.Address("2001:db8:c::2");
        byte[] dst = B.Address("2001:db8:a::1");
        byte[] segment = [0x9C, 0x40, 0x00, 0x35, 0x00, 0x0A, 0, 0, 0, 0];

        // Choose the last word so the whole sum is 0xFFFF: the checksum then computes to zero.
        ushort partial = PacketBuilder.FoldedSum([.. B.PseudoHeader(src, dst, 17, segment.Length), .. segment]);
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(8), (ushort)(0xFFFF - partial));
        var source = Ipv6Address.ReadFrom(src);
        var destination = Ipv6Address.ReadFrom(dst);

        Assert.Equal(0, Checksum6.Transport(source, destination, 17, segment));
        Assert.Equal(0xFFFF, Checksum6.Udp(source, destination, segment));
        BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(6), 0xFFFF);
        Assert.True(Checksum6.Verify(source, destination, 17, segment));
    }

    [Fact]
    public void Update_RandomPacketsAndAddressChanges_EqualsFullRecomputation()
    {
        var random = new Random(1624);
        byte[] protocols = [6, 17, 58];
        int[] checksumOffsets = [16, 6, 2];
        byte[] src = new byte[16];
        byte[] dst = new byte[16];
        for (int n = 0; n < 10_000; n++)
        {
            int p = random.Next(3);
            byte[] segment = new byte[20 + random.Next(0, 200)];
            random.NextBytes(segment);
            random.NextBytes(src);
            random.NextBytes(dst);
            B.FillChecksum(src, dst, protocols[p], segment, checksumOffsets[p], ChecksumMode.Full);
            ushort checksum = BinaryPrimitives.ReadUInt16BigEndian(segment.AsSpan(checksumOffsets[p]));

            // A NAT rewrite: the destination, the source, or both (a full-NAT pair).
            int which = random.Next(3);
            byte[] newSrc = (byte[])src.Clone();
            byte[] newDst = (byte[])dst.Clone();
            if (which != 1)
            {
                random.NextBytes(newDst);
                checksum = Checksum6.Update(checksum, Ipv6Address.ReadFrom(dst), Ipv6Address.ReadFrom(newDst));
            }

            if (which != 0)
            {
                // Sometimes only a few words move, as within one /64.
                random.NextBytes(newSrc.AsSpan(random.Next(2) == 0 ? 8 : 14));
                checksum = Checksum6.Update(checksum, Ipv6Address.ReadFrom(src), Ipv6Address.ReadFrom(newSrc));
            }

            byte[] expected = (byte[])segment.Clone();
            B.FillChecksum(newSrc, newDst, protocols[p], expected, checksumOffsets[p], ChecksumMode.Full);
            ushort reference = BinaryPrimitives.ReadUInt16BigEndian(expected.AsSpan(checksumOffsets[p]));

            // UDP's all-ones for a computed zero is the same ones' complement number; compare as such.
            Assert.Equal(reference == 0xFFFF && p == 1 ? (ushort)0 : reference, p == 1 && checksum == 0xFFFF ? (ushort)0 : checksum);
            BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(checksumOffsets[p]), checksum);
            Assert.True(B.ReferenceVerify(newSrc, newDst, protocols[p], segment));
        }
    }

    [Fact]
    public void Update_SameAddress_ChecksumUnchanged()
    {
        Ipv6Address a = Ipv6Address.Parse("2001:db8:b::5");

        Assert.Equal(0x1234, Checksum6.Update(0x1234, a, a));
        Assert.Equal(0x1234, Checksum6.UpdatePartial(0x1234, a, a));
    }

    [Fact]
    public void UpdatePartial_AddressChangeThenCompletion_EqualsFullChecksum()
    {
        var random = new Random(71);
        for (int n = 0; n < 10_000; n++)
        {
            string client = $"2001:db8:c::{random.Next(1, 0xFFFF):x}";
            string vip = $"2001:db8:a::{random.Next(1, 0xFFFF):x}";
            byte[] payload = new byte[random.Next(0, 100)];
            random.NextBytes(payload);
            byte[] packet = B.Tcp(client, 40000, vip, 80, TcpSegment.Ack, payload, ChecksumMode.Partial);
            Span<byte> l4 = packet.AsSpan(40);

            byte[] real = new byte[16];
            random.NextBytes(real);
            var oldDst = Ipv6Address.ReadFrom(packet.AsSpan(24));
            var newDst = Ipv6Address.ReadFrom(real);
            newDst.WriteTo(packet.AsSpan(24));
            ushort partial = Checksum6.UpdatePartial(BinaryPrimitives.ReadUInt16BigEndian(l4[16..]), oldDst, newDst);
            Assert.Equal(Checksum6.Partial(Ipv6Address.ReadFrom(packet.AsSpan(8)), newDst, 6, l4.Length), partial);

            // Complete as the NIC would: the segment's sum with the field holding the partial sum, complemented.
            BinaryPrimitives.WriteUInt16BigEndian(l4[16..], partial);
            ushort completed = (ushort)~PacketBuilder.FoldedSum(l4);

            byte[] segment = l4.ToArray();
            B.FillChecksum(packet[8..24], real, 6, segment, 16, ChecksumMode.Full);
            Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(segment.AsSpan(16)), completed);
        }
    }
}
