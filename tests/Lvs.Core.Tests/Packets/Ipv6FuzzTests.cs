using Lvs.Core.Packets;
using Lvs.Core.Tests.TestSupport;
using B = Lvs.Core.Tests.TestSupport.Ipv6PacketBuilder;

namespace Lvs.Core.Tests.Packets;

public class Ipv6FuzzTests
{
    private static readonly byte[] InterestingNextHeaders = [0, 6, 17, 41, 43, 44, 50, 51, 58, 59, 60, 255];

    [Fact]
    public void Parsers_200kMutatedInputs_NeverThrowAndKeepTheirInvariants()
    {
        byte[][] seeds = Seeds();
        var random = new Random(4443);
        byte[] buffer = new byte[2048];
        var results = new int[4];
        int views = 0, solicitations = 0, advertisements = 0, packets = 0;

        for (int n = 0; n < 200_000; n++)
        {
            int length = Mutate(random, seeds[random.Next(seeds.Length)], buffer);
            Span<byte> bytes = buffer.AsSpan(0, length);

            if (Ipv6Packet.TryCreate(bytes, out Ipv6Packet ip) == Ipv6ParseResult.Ok)
            {
                packets++;
                Ipv6WalkResult walked = ip.FindUpperLayer(out Ipv6UpperLayer upper);
                results[(int)walked]++;
                if (walked == Ipv6WalkResult.Ok)
                {
                    Assert.InRange(upper.Offset, 40, ip.TotalLength);
                    Assert.True(!upper.IsFragment || upper.HasFragmentHeader);
                }

                _ = ip.TrafficClass + ip.FlowLabel + ip.HopLimit + ip.Source.Fold32() + ip.Destination.Fold32();
                if (Ndp.TryGetVerifiedMessage(ip, out Span<byte> message))
                {
                    if (NeighbourSolicitation.TryCreate(message, out NeighbourSolicitation ns))
                    {
                        solicitations++;
                        _ = ns.Target.IsMulticast | ns.IsValidFrom(ip.Source, ip.Destination);
                        Assert.True(ns.SourceLinkLayerAddress.Length is 0 or 6);
                    }

                    if (NeighbourAdvertisement.TryCreate(message, out NeighbourAdvertisement na))
                    {
                        advertisements++;
                        _ = na.Flags + na.Target.Fold32() + (na.IsValidTo(ip.Destination) ? 1 : 0);
                        Assert.True(na.TargetLinkLayerAddress.Length is 0 or 6);
                    }
                }

                if (Icmpv6ErrorView.TryCreate(ip.Payload, out Icmpv6ErrorView view))
                {
                    views++;
                    Exercise(view, ip.Source, ip.Destination);
                }
            }

            // The walker and the views also face bytes that never passed Ipv6Packet.TryCreate.
            _ = Ipv6ExtensionHeaders.Walk(bytes, out _);
            if (Icmpv6ErrorView.TryCreate(bytes, out Icmpv6ErrorView raw))
            {
                Exercise(raw, Ipv6Address.Unspecified, Ipv6Address.AllNodes);
            }

            _ = NeighbourSolicitation.TryCreate(bytes, out _) | NeighbourAdvertisement.TryCreate(bytes, out _);
        }

        // The mix must reach every outcome, or the fuzz is not testing what it claims to.
        Assert.All(results, count => Assert.True(count > 100, string.Join(",", results)));
        Assert.True(packets > 50_000, $"{packets} packets parsed");
        Assert.True(views > 5_000, $"{views} ICMPv6 errors accepted");
        Assert.True(solicitations > 500, $"{solicitations} solicitations accepted");
        Assert.True(advertisements > 500, $"{advertisements} advertisements accepted");
    }

    private static void Exercise(Icmpv6ErrorView view, Ipv6Address outerSource, Ipv6Address outerDestination)
    {
        Assert.True(view.InnerProtocol is 6 or 17);
        Assert.InRange(view.InnerUpperLayerOffset + 8, 48, view.Quoted.Length);
        _ = view.Type + view.Code + view.Parameter + view.InnerSource.Fold32() + view.InnerDestination.Fold32();
        view.InnerSourcePort = (ushort)(view.InnerSourcePort + 1);
        view.InnerDestinationPort = (ushort)(view.InnerDestinationPort + 1);
        view.InnerDestination = view.InnerSource;
        view.UpdateChecksum(outerSource, outerDestination);
        Assert.True(Checksum6.Verify(outerSource, outerDestination, 58, view.Bytes));
    }

    private static byte[][] Seeds()
    {
        byte[] router = B.Address("2001:db8:c::fe");
        byte[] client = B.Address("2001:db8:c::2");
        byte[] tcp = B.Tcp("2001:db8:a::1", 80, "2001:db8:c::2", 40000, TcpSegment.Ack, new byte[24]);
        byte[] chained = B.Tcp("2001:db8:a::1", 80, "2001:db8:c::2", 40000, TcpSegment.Ack, new byte[8],
            extensions: [.. B.Extension(60), .. B.Extension(43, 1), .. B.Extension(44), .. B.Fragment(6, 0, true, 5)], firstNextHeader: 0);
        byte[] udp = B.Udp("2001:db8:a::1", 53, "2001:db8:c::2", 40000, new byte[16]);
        byte[] longChain = [];
        for (int i = 0; i < Ipv6ExtensionHeaders.MaxExtensionHeaders; i++)
        {
            longChain = [.. longChain, .. B.Extension(i == Ipv6ExtensionHeaders.MaxExtensionHeaders - 1 ? (byte)6 : (byte)60)];
        }

        return
        [
            tcp,
            chained,
            udp,
            B.Tcp("2001:db8:a::1", 80, "2001:db8:c::2", 40000, TcpSegment.Ack, extensions: longChain, firstNextHeader: 60),
            B.Tcp("2001:db8:a::1", 80, "2001:db8:c::2", 40000, TcpSegment.Ack, extensions: [.. B.Extension(60), .. longChain], firstNextHeader: 60),
            B.Icmpv6(router, client, 2, 0, 1280, tcp),
            B.Icmpv6(router, client, 1, 4, 0, chained),
            B.Icmpv6(router, client, 3, 0, 0, udp[..48]),
            B.Icmpv6(router, client, 4, 0, 6, chained[..80]),
            CapturedIpv6Frames.Frame(CapturedIpv6Frames.NeighbourSolicitation)[14..],
            CapturedIpv6Frames.Frame(CapturedIpv6Frames.DadSolicitation)[14..],
            CapturedIpv6Frames.Frame(CapturedIpv6Frames.NeighbourAdvertisement)[14..],
            CapturedIpv6Frames.Frame(CapturedIpv6Frames.EchoRequest)[14..],
        ];
    }

    /// <summary>Flips, overwrites next-header and length bytes, truncates or extends a seed into <paramref name="buffer"/>.</summary>
    private static int Mutate(Random random, byte[] seed, byte[] buffer)
    {
        seed.CopyTo(buffer, 0);
        int length = seed.Length;
        int edits = random.Next(0, 4);
        for (int e = 0; e < edits; e++)
        {
            int at = random.Next(length);
            switch (random.Next(6))
            {
                case 0:
                    buffer[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    buffer[at] = (byte)random.Next(256);
                    break;
                case 2:
                    buffer[at] = InterestingNextHeaders[random.Next(InterestingNextHeaders.Length)];
                    break;
                case 3:
                    buffer[at] = (byte)random.Next(0, 4); // small lengths: header lengths, option lengths
                    break;
                case 4:
                    length = random.Next(0, length + 1);
                    break;
                default:
                    int extra = random.Next(1, 64);
                    random.NextBytes(buffer.AsSpan(length, extra));
                    length += extra;
                    break;
            }

            if (length == 0)
            {
                break;
            }
        }

        // Mutations in the ICMPv6 area break its checksum; fix it most of the time so NDP views are reached.
        int payload = length >= 48 ? Math.Min(length - 40, (buffer[4] << 8) | buffer[5]) : 0;
        if (payload >= 8 && buffer[6] == 58 && random.Next(4) != 0)
        {
            byte[] icmp = buffer[40..(40 + payload)];
            B.FillChecksum(buffer[8..24], buffer[24..40], 58, icmp, 2, ChecksumMode.Full);
            icmp.CopyTo(buffer, 40);
        }

        return length;
    }
}
