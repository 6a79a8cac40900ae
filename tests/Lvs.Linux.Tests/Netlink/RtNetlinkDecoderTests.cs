using System.Net;
using Lvs.Linux.Netlink;
using static Lvs.Linux.Interop.Netlink;

namespace Lvs.Linux.Tests.Netlink;

public sealed class RtNetlinkDecoderTests
{
    private const byte AfInet = 2;
    private const byte AfInet6 = 10;

    internal static byte[] SampleBuffer() => new NetlinkMessageBuilder()
        .Message(RTM_NEWLINK, 7).Link(3, IFF_UP | IFF_LOWER_UP)
            .AttributeString(IFLA_IFNAME, "veth0")
            .Attribute(IFLA_ADDRESS, [0x02, 0x00, 0x5e, 0x10, 0x20, 0x30])
            .AttributeU32(IFLA_MTU, 1500)
        .Message(RTM_NEWADDR, 7).Address(AfInet, 24, 3)
            .Attribute(IFA_ADDRESS, IPAddress.Parse("198.51.100.1"))
            .Attribute(IFA_LOCAL, IPAddress.Parse("198.51.100.1"))
        .Message(RTM_NEWADDR, 7).Address(AfInet6, 64, 3)
            .Attribute(IFA_ADDRESS, IPAddress.Parse("2001:db8:c::1"))
        .Message(RTM_NEWROUTE, 7).Route(AfInet, 0, RT_TABLE_MAIN, 1)
            .AttributeU32(RTA_TABLE, RT_TABLE_MAIN)
            .Attribute(RTA_GATEWAY, IPAddress.Parse("198.51.100.254"))
            .AttributeU32(RTA_OIF, 3)
            .AttributeU32(RTA_PRIORITY, 100)
        .Message(RTM_NEWROUTE, 7).Route(AfInet6, 64, RT_TABLE_MAIN, 1)
            .Attribute(RTA_DST, IPAddress.Parse("2001:db8:c::"))
            .AttributeU32(RTA_OIF, 3)
        .Message(RTM_NEWNEIGH, 7).Neighbour(AfInet, 3, 0x02)
            .Attribute(NDA_DST, IPAddress.Parse("198.51.100.2"))
            .Attribute(NDA_LLADDR, [0x02, 0, 0, 0, 0, 0x02])
        .Message(NLMSG_DONE, 7).U32(0)
        .ToArray();

    [Fact]
    public void Decode_SampleDump_YieldsEveryObject()
    {
        var sink = new RecordingSink();
        var result = RtNetlinkDecoder.Decode(SampleBuffer(), sink, 7);

        Assert.True(result.Done);
        Assert.Equal(0, result.Malformed);
        Assert.Equal(0, result.Error);
        Assert.Equal(7, result.Messages);

        var link = Assert.Single(sink.Links).Link;
        Assert.Equal(new LinkInfo(3, "veth0", new MacAddress([0x02, 0x00, 0x5e, 0x10, 0x20, 0x30]), 1500, IFF_UP | IFF_LOWER_UP), link);
        Assert.True(link.IsUp);
        Assert.False(link.IsLoopback);

        Assert.Equal(2, sink.Addresses.Count);
        Assert.Equal(new AddressInfo(3, IPAddress.Parse("198.51.100.1"), 24), sink.Addresses[0].Address);
        Assert.Equal(new AddressInfo(3, IPAddress.Parse("2001:db8:c::1"), 64), sink.Addresses[1].Address);

        Assert.Equal(2, sink.Routes.Count);
        var route = sink.Routes[0].Route;
        Assert.Equal(IPAddress.Any, route.Destination);
        Assert.Equal(0, route.DestinationLength);
        Assert.Equal(IPAddress.Parse("198.51.100.254"), route.Gateway);
        Assert.Equal(3, route.OutputIfIndex);
        Assert.Equal(100u, route.Priority);
        Assert.Equal(RouteType.Unicast, route.Type);
        Assert.Equal(254u, route.Table);
        Assert.Null(route.PreferredSource);
        Assert.Equal(IPAddress.Parse("2001:db8:c::"), sink.Routes[1].Route.Destination);

        var neighbour = Assert.Single(sink.Neighbours).Neighbour;
        Assert.Equal(IPAddress.Parse("198.51.100.2"), neighbour.Address);
        Assert.Equal("02:00:00:00:00:02", neighbour.Mac.ToString());
        Assert.Equal(NeighbourState.Reachable, neighbour.State);
        Assert.True(neighbour.IsUsable);
    }

    [Fact]
    public void Decode_DeleteMessages_ReportRemoved()
    {
        var buffer = new NetlinkMessageBuilder()
            .Message(RTM_DELNEIGH).Neighbour(AfInet, 3, 0x20).Attribute(NDA_DST, IPAddress.Parse("198.51.100.2"))
            .Message(RTM_DELLINK).Link(3, 0)
            .ToArray();
        var sink = new RecordingSink();

        RtNetlinkDecoder.Decode(buffer, sink, 0);

        Assert.True(Assert.Single(sink.Neighbours).Removed);
        Assert.False(sink.Neighbours[0].Neighbour.IsUsable);
        Assert.True(Assert.Single(sink.Links).Removed);
    }

    [Fact]
    public void Decode_ErrorForOurSequence_ReportsErrno()
    {
        var buffer = new NetlinkMessageBuilder().Message(NLMSG_ERROR, 9).I32(-22).Bytes(new byte[16]).ToArray();

        var result = RtNetlinkDecoder.Decode(buffer, new RecordingSink(), 9);

        Assert.True(result.Done);
        Assert.Equal(22, result.Error);
    }

    [Fact]
    public void Decode_RepliesToOtherSequence_AreIgnored()
    {
        var buffer = new NetlinkMessageBuilder()
            .Message(RTM_NEWLINK, 5).Link(3, 0).AttributeString(IFLA_IFNAME, "old0")
            .Message(NLMSG_DONE, 5).U32(0)
            .Message(RTM_NEWLINK, 6).Link(4, 0).AttributeString(IFLA_IFNAME, "new0")
            .ToArray();
        var sink = new RecordingSink();

        var result = RtNetlinkDecoder.Decode(buffer, sink, 6);

        Assert.False(result.Done);
        Assert.Equal("new0", Assert.Single(sink.Links).Link.Name);
    }

    [Fact]
    public void Decode_OtherFamilies_AreIgnoredNotMalformed()
    {
        // AF_BRIDGE (7) fdb entry and an RTNL_FAMILY_IPMR (128) route.
        var buffer = new NetlinkMessageBuilder()
            .Message(RTM_NEWNEIGH).Neighbour(7, 3, 0x80).Attribute(NDA_LLADDR, [2, 0, 0, 0, 0, 9])
            .Message(RTM_NEWROUTE).Route(128, 32, RT_TABLE_MAIN, 1)
            .ToArray();
        var sink = new RecordingSink();

        var result = RtNetlinkDecoder.Decode(buffer, sink, 0);

        Assert.Equal(2, result.Ignored);
        Assert.Equal(0, result.Malformed);
        Assert.Empty(sink.Neighbours);
        Assert.Empty(sink.Routes);
    }

    [Fact]
    public void Decode_WrongAddressLength_SkipsMessageAndCounts()
    {
        var buffer = new NetlinkMessageBuilder()
            .Message(RTM_NEWROUTE).Route(AfInet, 24, RT_TABLE_MAIN, 1).Attribute(RTA_DST, [10, 0, 0])
            .Message(RTM_NEWLINK).Link(4, 0).AttributeString(IFLA_IFNAME, "lo")
            .ToArray();
        var sink = new RecordingSink();

        var result = RtNetlinkDecoder.Decode(buffer, sink, 0);

        Assert.Equal(1, result.Malformed);
        Assert.Empty(sink.Routes);
        Assert.Equal("lo", Assert.Single(sink.Links).Link.Name);
    }

    [Fact]
    public void Decode_TruncatedBuffer_StopsAndCounts()
    {
        var buffer = SampleBuffer();

        var result = RtNetlinkDecoder.Decode(buffer.AsSpan(0, buffer.Length - 30), new RecordingSink(), 7);

        Assert.False(result.Done);
        Assert.Equal(1, result.Malformed);
    }

    [Fact]
    public void Decode_MultipathRoute_UsesFirstHop()
    {
        var hop = new NetlinkMessageBuilder()
            .U16(16).Bytes(0, 0).I32(5)
            .Attribute(RTA_GATEWAY, IPAddress.Parse("10.0.0.1"))
            .ToArray();
        var buffer = new NetlinkMessageBuilder()
            .Message(RTM_NEWROUTE).Route(AfInet, 8, RT_TABLE_MAIN, 1)
            .Attribute(RTA_DST, IPAddress.Parse("10.0.0.0"))
            .Attribute(RTA_MULTIPATH, hop)
            .ToArray();
        var sink = new RecordingSink();

        RtNetlinkDecoder.Decode(buffer, sink, 0);

        var route = Assert.Single(sink.Routes).Route;
        Assert.Equal(5, route.OutputIfIndex);
        Assert.Equal(IPAddress.Parse("10.0.0.1"), route.Gateway);
    }

    [Fact]
    public void Decode_RouteMetricsMtu_IsRead()
    {
        var metrics = new NetlinkMessageBuilder().AttributeU32(RTAX_MTU, 1400).ToArray();
        var buffer = new NetlinkMessageBuilder()
            .Message(RTM_NEWROUTE).Route(AfInet, 24, RT_TABLE_MAIN, 1)
            .Attribute(RTA_DST, IPAddress.Parse("203.0.113.0"))
            .Attribute(RTA_METRICS, metrics)
            .ToArray();
        var sink = new RecordingSink();

        RtNetlinkDecoder.Decode(buffer, sink, 0);

        Assert.Equal(1400, Assert.Single(sink.Routes).Route.Mtu);
    }

    [Fact]
    public void Decode_RandomAndMutatedInput_NeverThrows() => AssertSurvivesMutation([SampleBuffer()], 100_000, 20240611);

    /// <summary>
    /// Feeds random buffers and mutated copies of <paramref name="seeds"/> to the decoder; any exception
    /// fails the test. Also used on dumps captured from the kernel by the root tests.
    /// </summary>
    internal static void AssertSurvivesMutation(byte[][] seeds, int iterations, int seed)
    {
        var random = new Random(seed);
        var sink = new RecordingSink();
        var malformed = 0;
        for (var i = 0; i < iterations; i++)
        {
            byte[] input;
            if (i % 4 == 0)
            {
                input = new byte[random.Next(0, 256)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])seeds[random.Next(seeds.Length)].Clone();
                var flips = random.Next(1, 8);
                for (var f = 0; f < flips && input.Length > 0; f++)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }

                if (random.Next(4) == 0)
                {
                    input = input[..random.Next(input.Length + 1)];
                }
            }

            var result = RtNetlinkDecoder.Decode(input, sink, i % 2 == 0 ? 0u : 7u);
            malformed += result.Malformed;
            if (sink.Links.Count > 1000)
            {
                sink.Links.Clear();
                sink.Addresses.Clear();
                sink.Routes.Clear();
                sink.Neighbours.Clear();
            }
        }

        // The mutations must actually have exercised the error paths.
        Assert.True(malformed > iterations / 10, $"only {malformed} malformed messages seen");
    }
}
