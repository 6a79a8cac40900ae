using Xunit.Abstractions;

namespace Lvs.Lab.Tests;

/// <summary>
/// IPv6 NAT with lvsd on AF_XDP: neighbour solicitations and advertisements stay with the
/// kernel (the program passes ICMPv6), so lvsd must get its IPv6 neighbours from the kernel.
/// </summary>
[Collection(Ipv6Collection.Name)]
public sealed class XdpIpv6NatEndToEndTests(XdpIpv6NatLabFixture fixture, ITestOutputHelper output)
    : Ipv6NatEndToEndTestsBase(fixture, output), IClassFixture<XdpIpv6NatLabFixture>
{
    [RootFact]
    public void Start_IoXdp_EveryServedInterfaceOnXdp() => XdpLog.AssertOnXdp(Lab.Lvsd!.Output, Output);
}

/// <summary>IPv6 DR with lvsd on AF_XDP.</summary>
[Collection(Ipv6Collection.Name)]
public sealed class XdpIpv6DrEndToEndTests(XdpIpv6DrLabFixture fixture, ITestOutputHelper output)
    : Ipv6DirectReturnEndToEndTests(fixture, output), IClassFixture<XdpIpv6DrLabFixture>
{
    [RootFact]
    public void Start_IoXdp_EveryServedInterfaceOnXdp() => XdpLog.AssertOnXdp(Lab.Lvsd!.Output, Output);
}

/// <summary>lvsd falls back to AF_PACKET where XDP cannot be loaded: an XDP variant must not pass that way.</summary>
internal static class XdpLog
{
    public static void AssertOnXdp(string lvsdLog, ITestOutputHelper output)
    {
        output.WriteLine(lvsdLog);
        Assert.Contains("xdp-native", lvsdLog, StringComparison.Ordinal);
        Assert.DoesNotContain("XDP not available", lvsdLog, StringComparison.Ordinal);
    }
}
