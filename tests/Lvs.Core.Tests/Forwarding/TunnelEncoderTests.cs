using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;
using static Lvs.Core.Tests.Forwarding.TunnelTestData;

namespace Lvs.Core.Tests.Forwarding;

public class TunnelEncoderTests
{
    public static TheoryData<string, string, string> Goldens => new()
    {
        { "ipip", "203.0.113.21", GoldenPackets.IpipOutputHex },
        { "gre", "203.0.113.23", GoldenPackets.GreOutputHex },
        { "gre-csum", "203.0.113.23", GoldenPackets.GreChecksumOutputHex },
    };

    [Theory]
    [MemberData(nameof(Goldens))]
    public void Send_GoldenInner_WritesExactBytes(string kind, string server, string outputHex)
    {
        TunnelSpec spec = kind switch
        {
            "ipip" => Spec(TunnelType.IpIp),
            "gre" => Spec(TunnelType.Gre),
            _ => Spec(TunnelType.Gre, TunnelChecksum.Checksum),
        };
        byte[] inner = Convert.FromHexString(GoldenPackets.TunInnerHex);
        var sink = new CollectingSink();
        ushort id = 0x4242;

        TunnelResult result = TunnelEncoder.Send(ref sink, inner, false, 0, spec, DirectorIp, Ipv4.Parse(server), Mtu, ref id, new byte[65664]);

        Assert.Equal(new TunnelResult(TunnelOutcome.Sent, 0, 1), result);
        Assert.Equal(outputHex, Convert.ToHexStringLower(Assert.Single(sink.Packets)));
    }

    [Fact]
    public void TunnelGoldens_VerifyWithReferenceChecksums()
    {
        foreach (string hex in new[] { GoldenPackets.IpipOutputHex, GoldenPackets.GreOutputHex, GoldenPackets.GreChecksumOutputHex })
        {
            byte[] packet = Convert.FromHexString(hex);
            Assert.True(PacketBuilder.Ipv4HeaderChecksumValid(packet));
            byte[] inner = packet[(packet.Length - 40)..];
            Assert.True(PacketBuilder.Ipv4HeaderChecksumValid(inner));
            Assert.True(PacketBuilder.TransportChecksumValid((ReadOnlySpan<byte>)inner));
        }

        Assert.Equal(0xFFFF, PacketBuilder.FoldedSum(Convert.FromHexString(GoldenPackets.GreChecksumOutputHex)[20..]));
    }

    [Fact]
    public void Send_Ipip_CopiesTosTtlAndDfAndKeepsTheInnerBytes()
    {
        byte[] inner = TcpInner(200, df: false);
        inner[1] = 0x28; // DSCP AF11
        inner[8] = 17;
        inner[10] = inner[11] = 0;
        ushort ipSum = (ushort)~PacketBuilder.FoldedSum(inner[..20]);
        inner[10] = (byte)(ipSum >> 8);
        inner[11] = (byte)ipSum;
        var sink = new CollectingSink();

        TunnelResult result = Send(ref sink, inner, Spec(TunnelType.IpIp), ipId: 0x0777);

        Assert.Equal(TunnelOutcome.Sent, result.Outcome);
        byte[] p = Assert.Single(sink.Packets);
        Assert.Equal(0x45, p[0]);
        Assert.Equal(0x28, p[1]);
        Assert.Equal(220, Word(p, 2));
        Assert.Equal(0x0777, Word(p, 4)); // without DF the outer packet needs a real identification
        Assert.Equal(0, Word(p, 6));
        Assert.Equal(17, p[8]);
        Assert.Equal(4, p[9]);
        Assert.Equal(Ipv4.Format(DirectorIp), $"{p[12]}.{p[13]}.{p[14]}.{p[15]}");
        Assert.Equal(Ipv4.Format(Server), $"{p[16]}.{p[17]}.{p[18]}.{p[19]}");
        Assert.True(PacketBuilder.Ipv4HeaderChecksumValid(p));
        Assert.Equal(inner, p[20..]);
    }

    [Theory]
    [InlineData(TunnelChecksum.NoChecksum)]
    [InlineData(TunnelChecksum.Checksum)]
    public void Send_Gue_UdpToTunnelPortThenGueHeaderThenInner(TunnelChecksum checksum)
    {
        byte[] inner = TcpInner(100);
        var sink = new CollectingSink();

        Send(ref sink, inner, Spec(TunnelType.Gue, checksum));

        byte[] p = Assert.Single(sink.Packets);
        Assert.Equal(20 + 8 + 4 + 100, Word(p, 2));
        Assert.Equal(17, p[9]);
        Assert.True(PacketBuilder.Ipv4HeaderChecksumValid(p));
        Assert.InRange(Word(p, 20), 49152, 65535); // a flow-hashed ephemeral source port
        Assert.Equal(6080, Word(p, 22));
        Assert.Equal(8 + 4 + 100, Word(p, 24));
        if (checksum == TunnelChecksum.NoChecksum)
        {
            Assert.Equal(0, Word(p, 26));
        }
        else
        {
            Assert.NotEqual(0, Word(p, 26));
            Assert.True(OuterUdpChecksumValid(p, p.AsSpan(20)));
        }

        Assert.Equal([0x00, 0x04, 0x00, 0x00], p[28..32]); // version 0, C 0, hlen 0, proto_ctype 4 (IPv4), flags 0
        Assert.Equal(inner, p[32..]);
    }

    [Fact]
    public void Send_Gue_SameFlowSameSourcePort()
    {
        var sink = new CollectingSink();
        Send(ref sink, TcpInner(100), Spec(TunnelType.Gue));
        Send(ref sink, TcpInner(300), Spec(TunnelType.Gue));

        Assert.Equal(Word(sink.Packets[0], 20), Word(sink.Packets[1], 20));
    }

    [Fact]
    public void Send_GueRemoteChecksumOnPartialInner_AddsRemcsumOptionAndLeavesInnerPartial()
    {
        byte[] inner = TcpInner(100, mode: ChecksumMode.Partial);
        byte[] original = (byte[])inner.Clone();
        var sink = new CollectingSink();

        TunnelResult result = Send(ref sink, inner, Spec(TunnelType.Gue, TunnelChecksum.RemoteChecksum), partial: true);

        Assert.Equal(TunnelOutcome.Sent, result.Outcome);
        byte[] p = Assert.Single(sink.Packets);
        Assert.Equal(20 + 8 + 12 + 100, Word(p, 2));
        Assert.Equal(8 + 12 + 100, Word(p, 24));
        Assert.True(OuterUdpChecksumValid(p, p.AsSpan(20)));
        Assert.Equal(0x02, p[28]);         // version 0, C 0, hlen 2 words of options
        Assert.Equal(4, p[29]);            // proto_ctype: IPv4
        Assert.Equal(0x0001, Word(p, 30)); // GUE_FLAG_PRIV
        Assert.Equal([0x80, 0x00, 0x00, 0x00], p[32..36]); // GUE_PFLAG_REMCSUM
        Assert.Equal(20, Word(p, 36));      // csum_start: the inner transport header, after the inner IP header
        Assert.Equal(20 + 16, Word(p, 38)); // csum_offset: the TCP checksum field
        Assert.Equal(original, p[40..]);    // the receiver completes the inner checksum, not us
    }

    [Fact]
    public void Send_GueRemoteChecksumOnPartialUdpInner_PointsAtTheUdpChecksum()
    {
        byte[] inner = UdpInner(30, ChecksumMode.Partial);
        var sink = new CollectingSink();

        Send(ref sink, inner, Spec(TunnelType.Gue, TunnelChecksum.RemoteChecksum), partial: true);

        byte[] p = Assert.Single(sink.Packets);
        Assert.Equal((20, 26), (Word(p, 36), Word(p, 38)));
        Assert.Equal(inner, p[40..]);
    }

    [Fact]
    public void Send_GueRemoteChecksumOnCompleteInner_PlainGueWithUdpChecksum()
    {
        // ip_vs uses REMCSUM only for CHECKSUM_PARTIAL packets; others get the normal checksummed GUE.
        byte[] inner = TcpInner(100);
        var sink = new CollectingSink();

        Send(ref sink, inner, Spec(TunnelType.Gue, TunnelChecksum.RemoteChecksum));

        byte[] p = Assert.Single(sink.Packets);
        Assert.Equal([0x00, 0x04, 0x00, 0x00], p[28..32]);
        Assert.True(OuterUdpChecksumValid(p, p.AsSpan(20)));
        Assert.Equal(inner, p[32..]);
    }

    public static TheoryData<TunnelType, TunnelChecksum, int> CompletingSpecs => new()
    {
        { TunnelType.IpIp, TunnelChecksum.NoChecksum, 20 },
        { TunnelType.Gre, TunnelChecksum.NoChecksum, 24 },
        { TunnelType.Gre, TunnelChecksum.Checksum, 28 },
        { TunnelType.Gue, TunnelChecksum.NoChecksum, 32 },
        { TunnelType.Gue, TunnelChecksum.Checksum, 32 },
    };

    [Theory]
    [MemberData(nameof(CompletingSpecs))]
    public void Send_PartialInnerWithoutRemcsum_CompletesTheInnerChecksum(TunnelType type, TunnelChecksum checksum, int overhead)
    {
        byte[] partialInner = TcpInner(123, mode: ChecksumMode.Partial);
        byte[] fullInner = TcpInner(123);
        var sink = new CollectingSink();

        Send(ref sink, partialInner, Spec(type, checksum), partial: true);

        byte[] p = Assert.Single(sink.Packets);
        Assert.Equal(fullInner, p[overhead..]);
        Assert.True(PacketBuilder.TransportChecksumValid((ReadOnlySpan<byte>)p.AsSpan(overhead)));
        if (type == TunnelType.Gre && checksum == TunnelChecksum.Checksum)
        {
            Assert.Equal(0x8000, Word(p, 20));
            Assert.Equal(0xFFFF, PacketBuilder.FoldedSum(p.AsSpan(20)));
        }
        else if (type == TunnelType.Gue && checksum == TunnelChecksum.Checksum)
        {
            Assert.True(OuterUdpChecksumValid(p, p.AsSpan(20)));
        }
    }

    [Fact]
    public void Send_PartialUdpInner_CompletesTheUdpChecksum()
    {
        byte[] inner = UdpInner(33, ChecksumMode.Partial);
        var sink = new CollectingSink();

        Send(ref sink, inner, Spec(TunnelType.IpIp), partial: true);

        Assert.Equal(UdpInner(33), Assert.Single(sink.Packets)[20..]);
    }

    [Fact]
    public void Send_Gre_BaseHeaderIsVersionZeroWithIpv4Protocol()
    {
        var sink = new CollectingSink();

        Send(ref sink, TcpInner(80), Spec(TunnelType.Gre));

        byte[] p = Assert.Single(sink.Packets);
        Assert.Equal(47, p[9]);
        Assert.Equal((0x0000, 0x0800), (Word(p, 20), Word(p, 22)));
        Assert.Equal(104, Word(p, 2));
    }

    [Fact]
    public void Send_SinkFull_NoBuffer()
    {
        var sink = new CollectingSink(capacity: 0);

        TunnelResult result = Send(ref sink, TcpInner(100), Spec(TunnelType.IpIp));

        Assert.Equal(TunnelOutcome.NoBuffer, result.Outcome);
        Assert.Empty(sink.Packets);
        Assert.Equal(1, sink.Refused);
    }

    [Fact]
    public void Overhead_PerTunnelType_MatchesTheHeadersWritten()
    {
        Assert.Equal(20, TunnelEncoder.Overhead(Spec(TunnelType.IpIp)));
        Assert.Equal(24, TunnelEncoder.Overhead(Spec(TunnelType.Gre)));
        Assert.Equal(28, TunnelEncoder.Overhead(Spec(TunnelType.Gre, TunnelChecksum.Checksum)));
        Assert.Equal(32, TunnelEncoder.Overhead(Spec(TunnelType.Gue, TunnelChecksum.Checksum)));
        Assert.Equal(40, TunnelEncoder.Overhead(Spec(TunnelType.Gue, TunnelChecksum.RemoteChecksum), remoteChecksumOption: true));
    }
}
