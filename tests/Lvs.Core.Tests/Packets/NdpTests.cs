using System.Buffers.Binary;
using Lvs.Core.Packets;
using Lvs.Core.Tests.TestSupport;
using B = Lvs.Core.Tests.TestSupport.Ipv6PacketBuilder;

namespace Lvs.Core.Tests.Packets;

public class NdpTests
{
    private static readonly byte[] MacA = [0x02, 0, 0, 0, 0, 0x0A];
    private static readonly byte[] MacB = [0x02, 0, 0, 0, 0, 0x0B];

    [Fact]
    public void WriteSolicitation_SameInputsAsKernel_ByteForByteTheCapturedFrame()
    {
        byte[] frame = new byte[Ndp.FrameLength];

        int length = Ndp.WriteSolicitation(frame, MacA, Ipv6Address.Parse("2001:db8:c::2"), Ipv6Address.Parse("2001:db8:c::1"));

        Assert.Equal(86, length);
        Assert.Equal(CapturedIpv6Frames.NeighbourSolicitation, Convert.ToHexStringLower(frame));
    }

    [Fact]
    public void WriteSolicitation_EveryField_AsRfc4861Says()
    {
        byte[] frame = new byte[100];
        frame.AsSpan().Fill(0xEE);

        int length = Ndp.WriteSolicitation(frame, PacketBuilder.DirectorMac, Ipv6Address.Parse("2001:db8:b::fe"), Ipv6Address.Parse("2001:db8:b::12:3456"));

        Assert.Equal(86, length);
        Assert.Equal(0xEE, frame[86]); // nothing written past the frame
        // Ethernet: solicited-node group MAC, our MAC, IPv6.
        Assert.Equal(new byte[] { 0x33, 0x33, 0xFF, 0x12, 0x34, 0x56 }, frame[..6]);
        Assert.Equal(PacketBuilder.DirectorMac, frame[6..12]);
        Assert.Equal(new byte[] { 0x86, 0xDD }, frame[12..14]);
        byte[] ip = frame[14..86];
        // IPv6: version 6, traffic class 0, flow label 0, payload 32, ICMPv6, hop limit 255.
        Assert.Equal(new byte[] { 0x60, 0, 0, 0, 0, 32, 58, 255 }, ip[..8]);
        Assert.Equal(B.Address("2001:db8:b::fe"), ip[8..24]);
        Assert.Equal(B.Address("ff02::1:ff12:3456"), ip[24..40]);
        // ICMPv6 NS: type 135, code 0, checksum, reserved zero, target.
        byte[] icmp = ip[40..];
        Assert.Equal(135, icmp[0]);
        Assert.Equal(0, icmp[1]);
        Assert.True(B.ReferenceVerify(ip[8..24], ip[24..40], 58, icmp));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(icmp.AsSpan(4)));
        Assert.Equal(B.Address("2001:db8:b::12:3456"), icmp[8..24]);
        // Source link-layer address option: type 1, length 1 (8 bytes), our MAC.
        Assert.Equal(1, icmp[24]);
        Assert.Equal(1, icmp[25]);
        Assert.Equal(PacketBuilder.DirectorMac, icmp[26..32]);
        Assert.Equal(32, icmp.Length);

        // And our own views accept it as a valid solicitation.
        Assert.Equal(Ipv6ParseResult.Ok, Ipv6Packet.TryCreate(frame.AsSpan(14, 72), out Ipv6Packet packet));
        Assert.True(Ndp.TryGetVerifiedMessage(packet, out Span<byte> message));
        Assert.True(NeighbourSolicitation.TryCreate(message, out NeighbourSolicitation ns));
        Assert.True(ns.IsValidFrom(packet.Source, packet.Destination));
    }

    [Fact]
    public void WriteUnsolicitedAdvertisement_SameInputsAsKernel_ByteForByteTheCapturedFrame()
    {
        byte[] frame = new byte[Ndp.FrameLength];

        int length = Ndp.WriteUnsolicitedAdvertisement(frame, MacA, Ipv6Address.Parse("fe80::ff:fe00:a"));

        Assert.Equal(86, length);
        Assert.Equal(CapturedIpv6Frames.UnsolicitedAdvertisement, Convert.ToHexStringLower(frame));
    }

    [Fact]
    public void WriteUnsolicitedAdvertisement_Router_SetsRouterAndOverrideOnly()
    {
        byte[] frame = new byte[Ndp.FrameLength];
        Ndp.WriteUnsolicitedAdvertisement(frame, MacA, Ipv6Address.Parse("2001:db8:a::1"), router: true);

        Ipv6Packet.TryCreate(frame.AsSpan(14), out Ipv6Packet packet);
        Assert.True(Ndp.TryGetVerifiedMessage(packet, out Span<byte> message));
        Assert.True(NeighbourAdvertisement.TryCreate(message, out NeighbourAdvertisement na));
        Assert.Equal(NeighbourAdvertisement.FlagRouter | NeighbourAdvertisement.FlagOverride, na.Flags);
        Assert.Equal(Ipv6Address.Parse("2001:db8:a::1"), packet.Source);
        Assert.Equal(Ipv6Address.AllNodes, packet.Destination);
        Assert.True(na.IsValidTo(packet.Destination));
    }

    [Fact]
    public void WriteAdvertisement_SolicitedReply_ByteForByteTheCapturedFrame()
    {
        byte[] frame = new byte[Ndp.FrameLength];

        Ndp.WriteAdvertisement(frame, MacB, MacA, Ipv6Address.Parse("2001:db8:c::1"), Ipv6Address.Parse("2001:db8:c::2"),
            Ipv6Address.Parse("2001:db8:c::1"), NeighbourAdvertisement.FlagSolicited | NeighbourAdvertisement.FlagOverride);

        Assert.Equal(CapturedIpv6Frames.NeighbourAdvertisement, Convert.ToHexStringLower(frame));
    }

    [Fact]
    public void NeighbourSolicitation_CapturedKernelFrame_ReadsTargetAndSourceMac()
    {
        byte[] frame = CapturedIpv6Frames.Frame(CapturedIpv6Frames.NeighbourSolicitation);
        Ipv6Packet.TryCreate(frame.AsSpan(14), out Ipv6Packet packet);

        Assert.True(Ndp.TryGetVerifiedMessage(packet, out Span<byte> message));
        Assert.True(NeighbourSolicitation.TryCreate(message, out NeighbourSolicitation ns));
        Assert.Equal(Ipv6Address.Parse("2001:db8:c::1"), ns.Target);
        Assert.True(ns.HasSourceLinkLayerAddress);
        Assert.Equal(MacA, ns.SourceLinkLayerAddress.ToArray());
        Assert.True(ns.IsValidFrom(packet.Source, packet.Destination));
        Assert.Equal(Ndp.SolicitedNodeMulticast(ns.Target), packet.Destination);
    }

    [Fact]
    public void NeighbourSolicitation_CapturedDad_NoMacAndValidFromUnspecified()
    {
        byte[] frame = CapturedIpv6Frames.Frame(CapturedIpv6Frames.DadSolicitation);
        Ipv6Packet.TryCreate(frame.AsSpan(14), out Ipv6Packet packet);

        Assert.True(Ndp.TryGetVerifiedMessage(packet, out Span<byte> message));
        Assert.True(NeighbourSolicitation.TryCreate(message, out NeighbourSolicitation ns));
        Assert.Equal(Ipv6Address.Parse("fe80::ff:fe00:b"), ns.Target);
        Assert.False(ns.HasSourceLinkLayerAddress);
        Assert.True(ns.SourceLinkLayerAddress.IsEmpty);
        Assert.True(packet.Source.IsUnspecified);
        Assert.True(ns.IsValidFrom(packet.Source, packet.Destination));
        Assert.False(ns.IsValidFrom(packet.Source, Ipv6Address.AllNodes));
    }

    [Fact]
    public void IsValidFrom_UnspecifiedSourceWithMacOption_Invalid()
    {
        byte[] frame = CapturedIpv6Frames.Frame(CapturedIpv6Frames.NeighbourSolicitation);
        NeighbourSolicitation.TryCreate(frame.AsSpan(54), out NeighbourSolicitation ns);

        Assert.False(ns.IsValidFrom(Ipv6Address.Unspecified, Ndp.SolicitedNodeMulticast(ns.Target)));
    }

    [Fact]
    public void NeighbourAdvertisement_CapturedKernelFrame_ReadsFlagsTargetAndMac()
    {
        byte[] frame = CapturedIpv6Frames.Frame(CapturedIpv6Frames.NeighbourAdvertisement);
        Ipv6Packet.TryCreate(frame.AsSpan(14), out Ipv6Packet packet);

        Assert.True(Ndp.TryGetVerifiedMessage(packet, out Span<byte> message));
        Assert.True(NeighbourAdvertisement.TryCreate(message, out NeighbourAdvertisement na));
        Assert.False(na.IsRouter);
        Assert.True(na.IsSolicited);
        Assert.True(na.IsOverride);
        Assert.Equal(Ipv6Address.Parse("2001:db8:c::1"), na.Target);
        Assert.Equal(MacB, na.TargetLinkLayerAddress.ToArray());
        Assert.True(na.IsValidTo(packet.Destination));
        Assert.False(na.IsValidTo(Ipv6Address.AllNodes)); // solicited yet multicast
    }

    [Fact]
    public void TryGetVerifiedMessage_HopLimitBelow255_Rejected()
    {
        byte[] frame = CapturedIpv6Frames.Frame(CapturedIpv6Frames.NeighbourSolicitation);
        frame[14 + 7] = 254;
        Ipv6Packet.TryCreate(frame.AsSpan(14), out Ipv6Packet packet);

        Assert.False(Ndp.TryGetVerifiedMessage(packet, out _));
    }

    [Fact]
    public void TryGetVerifiedMessage_BadChecksumOrNotIcmpv6_Rejected()
    {
        byte[] frame = CapturedIpv6Frames.Frame(CapturedIpv6Frames.NeighbourSolicitation);
        frame[^1] ^= 1;
        Ipv6Packet.TryCreate(frame.AsSpan(14), out Ipv6Packet packet);
        Assert.False(Ndp.TryGetVerifiedMessage(packet, out _));

        byte[] other = CapturedIpv6Frames.Frame(CapturedIpv6Frames.NeighbourSolicitation);
        other[14 + 6] = 60;
        Ipv6Packet.TryCreate(other.AsSpan(14), out Ipv6Packet packet2);
        Assert.False(Ndp.TryGetVerifiedMessage(packet2, out _));
    }

    public static TheoryData<string, int, byte> MalformedSolicitations => new()
    {
        { "wrong type", 0, 136 },
        { "code not zero", 1, 1 },
        { "multicast target", 8, 0xFF },
        { "zero-length option", 25, 0 },
        { "option past the end", 25, 2 },
    };

    [Theory]
    [MemberData(nameof(MalformedSolicitations))]
    public void NeighbourSolicitation_Malformed_Rejected(string why, int offset, byte value)
    {
        byte[] icmp = CapturedIpv6Frames.Frame(CapturedIpv6Frames.NeighbourSolicitation)[54..];
        Assert.True(NeighbourSolicitation.TryCreate(icmp, out _));

        icmp[offset] = value;

        Assert.False(NeighbourSolicitation.TryCreate(icmp, out _), why);
    }

    [Fact]
    public void NeighbourSolicitation_ShortOrTrailingByte_Rejected()
    {
        byte[] icmp = CapturedIpv6Frames.Frame(CapturedIpv6Frames.NeighbourSolicitation)[54..];

        Assert.False(NeighbourSolicitation.TryCreate(icmp.AsSpan(0, 23), out _));
        Assert.False(NeighbourSolicitation.TryCreate([.. icmp, 0], out _));
        Assert.True(NeighbourSolicitation.TryCreate(icmp.AsSpan(0, 24), out NeighbourSolicitation bare));
        Assert.False(bare.HasSourceLinkLayerAddress);
    }

    [Fact]
    public void NeighbourAdvertisement_Malformed_Rejected()
    {
        byte[] icmp = CapturedIpv6Frames.Frame(CapturedIpv6Frames.NeighbourAdvertisement)[54..];
        Assert.True(NeighbourAdvertisement.TryCreate(icmp, out _));

        Assert.False(NeighbourAdvertisement.TryCreate(icmp.AsSpan(0, 23), out _));
        Assert.False(NeighbourSolicitation.TryCreate(icmp, out _));
        icmp[25] = 0;
        Assert.False(NeighbourAdvertisement.TryCreate(icmp, out _));
    }

    [Fact]
    public void LinkLayerOption_NotEthernetSized_IgnoredButAccepted()
    {
        byte[] icmp = [.. CapturedIpv6Frames.Frame(CapturedIpv6Frames.NeighbourSolicitation)[54..], .. new byte[8]];
        icmp[25] = 2; // a 16-byte source link-layer option: not an Ethernet MAC

        Assert.True(NeighbourSolicitation.TryCreate(icmp, out NeighbourSolicitation ns));
        Assert.False(ns.HasSourceLinkLayerAddress);
    }

    [Theory]
    [InlineData("2001:db8:c::1", "ff02::1:ff00:1", "3333ff000001")]
    [InlineData("2001:db8:b::12:3456", "ff02::1:ff12:3456", "3333ff123456")]
    [InlineData("fe80::ff:fe00:a", "ff02::1:ff00:a", "3333ff00000a")]
    public void SolicitedNodeMulticast_Address_GroupAndMac(string address, string group, string mac)
    {
        Ipv6Address solicited = Ndp.SolicitedNodeMulticast(Ipv6Address.Parse(address));
        byte[] written = new byte[6];
        Ndp.WriteMulticastMac(written, solicited);

        Assert.Equal(Ipv6Address.Parse(group), solicited);
        Assert.Equal(mac, Convert.ToHexStringLower(written));
    }
}
