using System.Buffers.Binary;
using Lvs.Core.Packets;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests.Packets;

public class ChecksumTests
{
    [Fact]
    public void Add_Rfc1071Example_SumsToDdf2()
    {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum (with end-around carry) to ddf2.
        byte[] data = [0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7];

        Assert.Equal(0xDDF2, Checksum.Fold(Checksum.Add(data)));
        Assert.Equal(0x220D, Checksum.Compute(data));
    }

    [Fact]
    public void Compute_RealIpv4Header_GivesB861()
    {
        // The worked example from Wikipedia's "IPv4 header checksum" (172.16.10.99 -> 172.16.10.12).
        byte[] header = Convert.FromHexString("450000730000400040110000c0a80001c0a800c7");

        Assert.Equal(0xB861, Checksum.Compute(header));
        header[10] = 0xB8;
        header[11] = 0x61;
        Assert.Equal(0, Checksum.Compute(header));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(63)]
    [InlineData(1500)]
    public void Compute_AnyLength_MatchesReference(int length)
    {
        var random = new Random(length);
        byte[] data = new byte[length];
        random.NextBytes(data);

        Assert.Equal((ushort)~PacketBuilder.FoldedSum(data), Checksum.Compute(data));
    }

    [Fact]
    public void Update_RandomPacketsAndFieldChanges_EqualsFullRecomputation()
    {
        var random = new Random(1624);
        for (int n = 0; n < 10_000; n++)
        {
            byte[] packet = new byte[20 + (random.Next(0, 40) * 2)];
            random.NextBytes(packet);
            packet[10] = 0;
            packet[11] = 0;
            ushort checksum = Checksum.Compute(packet);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(10), checksum);

            if (random.Next(2) == 0)
            {
                int at = 12 + (random.Next(0, (packet.Length - 12) / 2) * 2);
                ushort old = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(at));
                ushort value = (ushort)random.Next(0, 0x10000);
                BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(at), value);
                checksum = Checksum.Update(checksum, old, value);
            }
            else
            {
                int at = 12 + (random.Next(0, (packet.Length - 14) / 2) * 2);
                uint old = BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(at));
                uint value = (uint)random.NextInt64(0, 1L << 32);
                BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(at), value);
                checksum = Checksum.Update(checksum, old, value);
            }

            packet[10] = 0;
            packet[11] = 0;
            Assert.Equal(Checksum.Compute(packet), checksum);
        }
    }

    [Fact]
    public void UpdatePartial_AddressChangeThenCompletion_EqualsFullChecksum()
    {
        var random = new Random(71);
        for (int n = 0; n < 1_000; n++)
        {
            uint src = (uint)random.NextInt64(1, 1L << 32);
            uint dst = (uint)random.NextInt64(1, 1L << 32);
            byte[] payload = new byte[random.Next(0, 100)];
            random.NextBytes(payload);
            byte[] frame = PacketBuilder.Tcp(src, 1234, dst, 80, TcpSegment.Ack, payload: payload, mode: ChecksumMode.Partial);
            Span<byte> ip = frame.AsSpan(PacketBuilder.EthernetLength);
            Span<byte> l4 = ip[20..];

            uint newDst = (uint)random.NextInt64(1, 1L << 32);
            BinaryPrimitives.WriteUInt32BigEndian(ip[16..], newDst);
            ushort partial = Checksum.UpdatePartial(BinaryPrimitives.ReadUInt16BigEndian(l4[16..]), dst, newDst);

            // Complete as the NIC would: the segment's sum with the field holding the partial sum, complemented.
            BinaryPrimitives.WriteUInt16BigEndian(l4[16..], partial);
            ushort completed = (ushort)~PacketBuilder.FoldedSum(l4);

            byte[] expected = (byte[])frame.Clone();
            PacketBuilder.FillTransportChecksum(expected, 16);
            Assert.Equal(BinaryPrimitives.ReadUInt16BigEndian(expected.AsSpan(PacketBuilder.EthernetLength + 20 + 16)), completed);
        }
    }

    [Fact]
    public void Transport_TcpSegment_MatchesReference()
    {
        byte[] frame = PacketBuilder.Tcp(PacketBuilder.Ip("198.51.100.2"), 40000, PacketBuilder.Ip("192.0.2.10"), 80, TcpSegment.Syn);
        Span<byte> l4 = frame.AsSpan(PacketBuilder.EthernetLength + 20);
        ushort expected = BinaryPrimitives.ReadUInt16BigEndian(l4[16..]);
        l4[16] = 0;
        l4[17] = 0;

        Assert.Equal(expected, Checksum.Transport(PacketBuilder.Ip("198.51.100.2"), PacketBuilder.Ip("192.0.2.10"), 6, l4));
    }
}
