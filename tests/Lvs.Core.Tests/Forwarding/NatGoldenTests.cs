using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests.Forwarding;

public class NatGoldenTests
{
    public static TheoryData<string> FlowNames => [.. GoldenPackets.Flows.Keys];

    [Theory]
    [MemberData(nameof(FlowNames))]
    public void Process_GoldenFlow_ForwardsExactBytes(string flow)
    {
        var director = new Director(GoldenPackets.CreateServices());
        long now = 1_000;
        foreach (GoldenPacket golden in GoldenPackets.Flows[flow])
        {
            byte[] frame = golden.Input;
            var meta = new PacketMeta { ChecksumPartial = golden.ChecksumPartial };

            Verdict verdict = director.Process(frame, meta, now);

            Assert.Equal(VerdictKind.Forward, verdict.Kind);
            Assert.Equal(Ipv4.Format(golden.NextHop), Ipv4.Format(verdict.NextHop.V4));
            Assert.Equal(golden.OutputHex, Convert.ToHexStringLower(frame));
            now += 10;
        }
    }

    [Fact]
    public void GoldenPackets_InputsAndFullChecksumOutputs_VerifyWithReferenceChecksum()
    {
        // The pasted hex is only a fixture if it is itself right: full checksums verify, partial ones hold the pseudo-header sum.
        foreach (GoldenPacket golden in GoldenPackets.All)
        {
            foreach (byte[] frame in new[] { golden.Input, golden.Output })
            {
                Assert.True(PacketBuilder.IpChecksumValid(frame), golden.Name);
                if (!golden.ChecksumPartial)
                {
                    Assert.True(PacketBuilder.TransportChecksumValid(frame), golden.Name);
                }
                else
                {
                    byte[] copy = (byte[])frame.Clone();
                    PacketBuilder.FillTransportChecksum(copy, TcpSegment.ChecksumOffset, ChecksumMode.Partial);
                    Assert.Equal(Convert.ToHexString(copy), Convert.ToHexString(frame));
                }
            }
        }
    }

    [Fact]
    public void Process_PartialOutput_CompletesToTheFullChecksumOfTheRewrittenPacket()
    {
        // What the kernel does with NEEDS_CSUM on transmit: sum the segment (field included) and complement.
        var director = new Director(GoldenPackets.CreateServices());
        byte[] frame = GoldenPackets.TcpSynPartial.Input;
        director.Process(frame, new PacketMeta { ChecksumPartial = true }, 0);

        byte[] completed = (byte[])frame.Clone();
        Span<byte> l4 = completed.AsSpan(PacketBuilder.EthernetLength + 20);
        ushort partial = (ushort)((l4[16] << 8) | l4[17]);
        l4[16] = 0;
        l4[17] = 0;
        ushort full = (ushort)~Checksum.Fold(Checksum.Add(l4, partial));
        l4[16] = (byte)(full >> 8);
        l4[17] = (byte)full;

        Assert.True(PacketBuilder.TransportChecksumValid(completed));
    }

    [Fact]
    public void Process_Forwarded_DecrementsTtlWithValidHeaderChecksum()
    {
        var director = new Director(GoldenPackets.CreateServices());
        byte[] frame = PacketBuilder.Tcp(GoldenPackets.ClientAddress, 41000, GoldenPackets.VipAddress, 80, TcpSegment.Syn, ttl: 17);

        Verdict verdict = director.Process(frame, default, 0);

        Assert.Equal(VerdictKind.Forward, verdict.Kind);
        Assert.Equal(16, frame[PacketBuilder.EthernetLength + 8]);
        Assert.True(PacketBuilder.IpChecksumValid(frame));
        Assert.True(PacketBuilder.TransportChecksumValid(frame));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    public void Process_TtlOneOrZero_DropsTtlExceeded(byte ttl)
    {
        var director = new Director(GoldenPackets.CreateServices());
        byte[] frame = PacketBuilder.Tcp(GoldenPackets.ClientAddress, 41001, GoldenPackets.VipAddress, 80, TcpSegment.Syn, ttl: ttl);
        byte[] before = (byte[])frame.Clone();

        Verdict verdict = director.Process(frame, default, 0);

        Assert.Equal(VerdictKind.Drop, verdict.Kind);
        Assert.Equal(DropReason.TtlExceeded, verdict.Reason);
        Assert.Equal(1, director.Drops[DropReason.TtlExceeded]);
        Assert.Equal(before, frame);
    }

    [Fact]
    public void Process_TtlOneOnEstablishedFlow_DropsTtlExceeded()
    {
        var director = new Director(GoldenPackets.CreateServices());
        director.Process(GoldenPackets.TcpSyn.Input, default, 0);
        byte[] frame = PacketBuilder.Tcp(GoldenPackets.ClientAddress, 40000, GoldenPackets.VipAddress, 80, TcpSegment.Ack, ttl: 1);

        Verdict verdict = director.Process(frame, default, 1);

        Assert.Equal(DropReason.TtlExceeded, verdict.Reason);
    }
}
