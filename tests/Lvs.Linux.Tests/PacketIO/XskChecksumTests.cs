using System.Buffers.Binary;
using System.Net;
using Lvs.Linux.PacketIO.Xdp;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>Recognising and finishing partial checksums for AF_XDP copy mode (no root).</summary>
public class XskChecksumTests
{
    private static readonly byte[] MacA = [2, 0, 0, 0, 0, 1];
    private static readonly byte[] MacB = [2, 0, 0, 0, 0, 2];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(333)]
    [InlineData(1400)]
    public void IsPartial_TcpPartial_TrueAndFinishMakesTheFullChecksum(int payload)
    {
        byte[] partial = TestFrames.Tcp(MacA, MacB, VethPair.AddressA, VethPair.AddressB, 40000, 80, 7, payload, TestFrames.Checksum.Partial);
        byte[] full = TestFrames.Tcp(MacA, MacB, VethPair.AddressA, VethPair.AddressB, 40000, 80, 7, payload, TestFrames.Checksum.Full);

        Assert.True(XskChecksum.IsPartial(partial, out ushort start, out ushort offset));
        Assert.Equal((34, 16), (start, offset));
        Assert.True(XskChecksum.Finish(partial, start, offset));
        Assert.Equal(full, partial);
    }

    [Fact]
    public void IsPartial_UdpPartial_FinishedLikeTheKernel()
    {
        byte[] partial = TestFrames.Udp(MacA, MacB, VethPair.AddressA, VethPair.AddressB, 40000, 53, "query"u8, TestFrames.Checksum.Partial);
        byte[] full = TestFrames.Udp(MacA, MacB, VethPair.AddressA, VethPair.AddressB, 40000, 53, "query"u8, TestFrames.Checksum.Full);

        Assert.True(XskChecksum.IsPartial(partial, out ushort start, out ushort offset));
        Assert.Equal((34, 6), (start, offset));
        XskChecksum.Finish(partial, start, offset);
        Assert.Equal(full, partial);
    }

    [Fact]
    public void IsPartial_CompleteOrWrongOrNoChecksum_False()
    {
        Assert.False(XskChecksum.IsPartial(TestFrames.Tcp(MacA, MacB, VethPair.AddressA, VethPair.AddressB, 1, 2, 3, 100, TestFrames.Checksum.Full), out _, out _));
        Assert.False(XskChecksum.IsPartial(TestFrames.Tcp(MacA, MacB, VethPair.AddressA, VethPair.AddressB, 1, 2, 3, 100, TestFrames.Checksum.Wrong), out _, out _));
        byte[] udp = TestFrames.Udp(MacA, MacB, VethPair.AddressA, VethPair.AddressB, 1, 2, "x"u8, TestFrames.Checksum.Full);
        BinaryPrimitives.WriteUInt16BigEndian(udp.AsSpan(40), 0); // UDP without a checksum
        Assert.False(XskChecksum.IsPartial(udp, out _, out _));
    }

    [Fact]
    public void IsPartial_CompleteChecksumThatEqualsThePseudoSum_StillComplete()
    {
        // Search for a payload byte that makes the complete checksum equal the pseudo-header sum: the
        // 1-in-65,536 case must be recognised as complete by verifying it.
        for (int seed = 0; seed < 1 << 20; seed++)
        {
            byte[] frame = TestFrames.Udp(MacA, MacB, VethPair.AddressA, VethPair.AddressB, 40000, (ushort)(seed & 0xffff), BitConverter.GetBytes(seed >> 16), TestFrames.Checksum.Full);
            byte[] partial = TestFrames.Udp(MacA, MacB, VethPair.AddressA, VethPair.AddressB, 40000, (ushort)(seed & 0xffff), BitConverter.GetBytes(seed >> 16), TestFrames.Checksum.Partial);
            if (frame.AsSpan(40, 2).SequenceEqual(partial.AsSpan(40, 2)))
            {
                Assert.False(XskChecksum.IsPartial(frame, out _, out _));
                return;
            }
        }

        Assert.Fail("no colliding frame found in 2^20 tries");
    }

    [Fact]
    public void IsPartial_TruncatedOrOddFrames_FalseWithoutThrowing()
    {
        byte[] tcp = TestFrames.Tcp(MacA, MacB, VethPair.AddressA, VethPair.AddressB, 1, 2, 3, 100, TestFrames.Checksum.Partial);
        var random = new Random(8);
        for (int i = 0; i < 2000; i++)
        {
            byte[] mutated = tcp[..random.Next(0, tcp.Length + 1)];
            if (mutated.Length > 0)
            {
                mutated[random.Next(mutated.Length)] ^= (byte)random.Next(1, 256);
            }

            _ = XskChecksum.IsPartial(mutated, out ushort start, out ushort offset);
            Assert.True(start + offset + 2 <= mutated.Length || start == 0);
        }

        Assert.False(XskChecksum.Finish(tcp.AsSpan(0, 40), 34, 16));
    }

    [Fact]
    public void IsPartial_Ipv6TcpPartial_True()
    {
        var f = new byte[14 + 40 + 20];
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), 0x86dd);
        f[14] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(18), 20);
        f[20] = 6;
        IPAddress.Parse("2001:db8:c::1").TryWriteBytes(f.AsSpan(22), out _);
        IPAddress.Parse("2001:db8:a::1").TryWriteBytes(f.AsSpan(38), out _);
        uint sum = 6 + 20;
        for (int i = 22; i < 54; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(f.AsSpan(i));
        }

        while (sum > 0xffff)
        {
            sum = (sum & 0xffff) + (sum >> 16);
        }

        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(54 + 16), (ushort)sum);
        Assert.True(XskChecksum.IsPartial(f, out ushort start, out ushort offset));
        Assert.Equal((54, 16), (start, offset));
    }
}
