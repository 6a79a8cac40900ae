using System.Net;
using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO.Xdp;
using Lvs.Linux.Steering;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>The operator's marking rules compiled into the program (fwmark services under --io xdp).</summary>
public partial class XdpProgramTests
{
    private static readonly IPAddress OtherClient = IPAddress.Parse("198.51.100.200");

    [RootFact("loads a BPF program")]
    public void ReplaceMarks_Ipv4Rules_PrefixesProtocolsAndPortRangesMatchAsWritten()
    {
        using var p = XdpRedirectProgram.Load(maxFlows: 1024, maxQueues: 4);
        int plain = p.InstructionCount;
        p.ReplaceMarks(
        [
            // ip daddr 192.0.2.0/28 tcp dport { 80, 8000-8099 } meta mark set 1
            Rule4(1, "tcp", ["192.0.2.0/28"], [], [new PortSpan(80, 80), new PortSpan(8000, 8099)], []),
            // ip daddr 192.0.2.128/25 ip saddr 198.51.100.0/25 udp sport 1024-65535 meta mark set 2
            Rule4(2, "udp", ["192.0.2.128/25"], ["198.51.100.0/25"], [], [new PortSpan(1024, 65535)]),
            // ip daddr 203.0.113.77 meta mark set 3 (any protocol the program sees, any port)
            Rule4(3, null, ["203.0.113.77/32"], [], [], []),
        ], _ => { });
        Assert.True(p.InstructionCount > plain, $"{p.InstructionCount} instructions with rules, {plain} without");

        // A match has no socket here: PassedNoSocket; no match: PassedNoMatch.
        Expect(p, XdpCounter.PassedNoSocket, V4(Client, Vip, 6, 40000, 80));
        Expect(p, XdpCounter.PassedNoSocket, V4(Client, IPAddress.Parse("192.0.2.15"), 6, 40000, 8099));
        Expect(p, XdpCounter.PassedNoMatch, V4(Client, IPAddress.Parse("192.0.2.16"), 6, 40000, 80));   // outside /28
        Expect(p, XdpCounter.PassedNoMatch, V4(Client, Vip, 6, 40000, 8100));                          // past the range
        Expect(p, XdpCounter.PassedNoMatch, V4(Client, Vip, 6, 40000, 7999));
        Expect(p, XdpCounter.PassedNoMatch, V4(Client, Vip, 17, 40000, 80));                           // udp: rule 1 is tcp
        Expect(p, XdpCounter.PassedNoSocket, V4(Client, IPAddress.Parse("192.0.2.200"), 17, 1024, 53));
        Expect(p, XdpCounter.PassedNoMatch, V4(OtherClient, IPAddress.Parse("192.0.2.200"), 17, 1024, 53)); // source outside /25
        Expect(p, XdpCounter.PassedNoMatch, V4(Client, IPAddress.Parse("192.0.2.200"), 17, 1023, 53));  // source port below
        Expect(p, XdpCounter.PassedNoSocket, V4(Client, IPAddress.Parse("203.0.113.77"), 17, 5, 6));
        Expect(p, XdpCounter.PassedNoSocket, V4(Client, IPAddress.Parse("203.0.113.77"), 6, 5, 6));
        Expect(p, XdpCounter.PassedNoMatch, V4(Client, IPAddress.Parse("203.0.113.78"), 6, 5, 6));
        Expect(p, XdpCounter.PassedNoMatch, V6(Client6, Vip6, 6, 40000, 80));                          // IPv4 rules only
        // An ICMP error about a marked connection (VIP:80 → client) is the director's too.
        Expect(p, XdpCounter.PassedNoSocket, Icmp(Client, Vip, 3, V4(Vip, Client, 6, 80, 40000)));

        p.ReplaceMarks([], _ => { });
        Assert.Equal(plain, p.InstructionCount);
        Expect(p, XdpCounter.PassedNoMatch, V4(Client, Vip, 6, 40000, 80));
    }

    [RootFact("loads a BPF program")]
    public void ReplaceMarks_Ipv6Rules_PrefixesEndingInsideWordsMatchAsWritten()
    {
        using var p = XdpRedirectProgram.Load(maxFlows: 1024, maxQueues: 4);
        p.ReplaceMarks(
        [
            // ip6 daddr 2001:db8:a::/100 tcp dport 443 meta mark set 7 (the prefix ends inside the fourth word)
            Rule6(7, "tcp", "2001:db8:a::", 100, [new PortSpan(443, 443)]),
            // ip6 daddr 2001:db8:b::/48 meta mark set 8 (ends at a half word)
            Rule6(8, null, "2001:db8:b::", 48, []),
        ], _ => { });

        Expect(p, XdpCounter.PassedNoSocket, V6(Client6, Vip6, 6, 40000, 443));
        Expect(p, XdpCounter.PassedNoSocket, V6(Client6, IPAddress.Parse("2001:db8:a::fff:ffff"), 6, 40000, 443));
        Expect(p, XdpCounter.PassedNoMatch, V6(Client6, IPAddress.Parse("2001:db8:a::1000:0"), 6, 40000, 443)); // bit 100 set
        Expect(p, XdpCounter.PassedNoMatch, V6(Client6, Vip6, 17, 40000, 443));
        Expect(p, XdpCounter.PassedNoSocket, V6(Client6, IPAddress.Parse("2001:db8:b:ffff::1"), 17, 1, 2));
        Expect(p, XdpCounter.PassedNoMatch, V6(Client6, IPAddress.Parse("2001:db8:c::1"), 17, 1, 2));
        Expect(p, XdpCounter.PassedNoMatch, V4(Client, Vip, 6, 40000, 443));                           // IPv6 rules only
    }

    [Fact]
    public void SelectMarkRules_PastTheBudget_LaterRulesRefusedByName()
    {
        // 400 destination prefixes take about 3 instructions each; 20 such rules cannot all fit.
        var wide = Enumerable.Range(0, 400).Select(i => $"10.{i / 256}.{i % 256}.0/24").ToArray();
        var rules = Enumerable.Range(1, 20).Select(i => Rule4((uint)i, "tcp", wide, [], [], []) with { Handle = 100 + i }).ToList();
        rules.Insert(0, Rule4(99, "icmp", ["192.0.2.1/32"], [], [], []));

        var (accepted, refused) = XdpRedirectProgram.SelectMarkRules(rules);

        Assert.NotEmpty(accepted);
        Assert.Equal(rules.Count, accepted.Count + refused.Count);
        Assert.Equal(99u, refused[0].Rule.Mark);
        Assert.Contains("protocol 'icmp'", refused[0].Reason, StringComparison.Ordinal);
        Assert.Contains(refused, r => r.Reason.Contains("budget", StringComparison.Ordinal));
        // The rules kept are the first ones, in order.
        Assert.Equal(rules.Skip(1).Take(accepted.Count).Select(r => r.Handle), accepted.Select(r => r.Handle));
        var emitted = XdpRedirectProgram.Emit(3, 4, 5, 6, 7, accepted);
        var plain = XdpRedirectProgram.Emit(3, 4, 5, 6, 7);
        Assert.InRange(emitted.Length - plain.Length, 1, XdpRedirectProgram.MarkRuleBudget + 16);
    }

    private static MarkRule Rule4(uint mark, string? protocol, string[] destinations, string[] sources, PortSpan[] dports, PortSpan[] sports) =>
        new(mark, protocol, [.. destinations.Select(Prefix)], [.. sources.Select(Prefix)], dports, sports, Handle: mark);

    private static MarkRule Rule6(uint mark, string? protocol, string prefix, int length, PortSpan[] dports) =>
        new(mark, protocol, [], [], dports, [], Handle: mark)
        {
            Destinations6 = [new Prefix6(Ip6.FromIPAddress(IPAddress.Parse(prefix)), length)],
        };

    private static Prefix4 Prefix(string text)
    {
        string[] parts = text.Split('/');
        return new Prefix4(RoutingView.ToUInt32(IPAddress.Parse(parts[0])), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
    }
}
