using System.Runtime.CompilerServices;

namespace Lvs.Core.Services;

/// <summary>An inclusive port range.</summary>
public readonly record struct PortRange(ushort Low, ushort High)
{
    public bool Contains(ushort port) => port >= Low && port <= High;
}

/// <summary>
/// One marking rule: every condition that is set must hold (an empty list or a zero mask means
/// "any"), then the packet carries <see cref="Mark"/>. The shape of an nftables rule such as
/// <c>ip daddr 192.0.2.0/28 tcp dport { 80, 443 } meta mark set 1</c>.
/// A rule is IPv4 (the uint fields) unless <see cref="Destination6"/> is set: then it is an
/// IPv6 rule (<c>ip6 daddr 2001:db8:a::/64 ...</c>) and the uint address fields are unused.
/// A rule matches packets of its own family only.
/// </summary>
public sealed record FwmarkRule(
    uint Mark,
    IpProtocol Protocol = IpProtocol.Ip,
    uint Destination = 0,
    uint DestinationMask = 0,
    uint Source = 0,
    uint SourceMask = 0,
    IReadOnlyList<PortRange>? DestinationPorts = null,
    IReadOnlyList<PortRange>? SourcePorts = null)
{
    /// <summary>For an IPv6 rule: the destination network (with <see cref="Destination6Prefix"/>).</summary>
    public Packets.Ipv6Address? Destination6 { get; init; }

    /// <summary>Prefix length of <see cref="Destination6"/>, 0..128.</summary>
    public int Destination6Prefix { get; init; } = 128;

    /// <summary>For an IPv6 rule: the source network, or null for any.</summary>
    public Packets.Ipv6Address? Source6 { get; init; }

    /// <summary>Prefix length of <see cref="Source6"/>, 0..128.</summary>
    public int Source6Prefix { get; init; } = 128;
}

/// <summary>
/// Firewall marks as lvsd computes them. ip_vs reads skb->mark, set by the kernel's own
/// mangle rules; our packet sockets see frames before the kernel's hooks, so lvsd evaluates the
/// operator's marking rules itself (read from nftables: see README) and matches fwmark services
/// (ipvsadm -f) on the result. First matching rule wins, as with "meta mark set" in one chain.
/// </summary>
public sealed class FwmarkClassifier
{
    private readonly Rule[] _rules;

    public FwmarkClassifier(IEnumerable<FwmarkRule> rules)
    {
        _rules = [.. rules.Select(r => new Rule(r))];
        Rules = [.. rules];
    }

    public static FwmarkClassifier Empty { get; } = new([]);

    public IReadOnlyList<FwmarkRule> Rules { get; }

    public bool IsEmpty => _rules.Length == 0;

    /// <summary>The mark of the first rule the packet matches, or 0.</summary>
    public uint Classify(IpProtocol protocol, InetAddress source, ushort sourcePort, InetAddress destination, ushort destinationPort)
    {
        foreach (Rule r in _rules)
        {
            if (r.Matches(protocol, source, sourcePort, destination, destinationPort))
            {
                return r.Mark;
            }
        }

        return 0;
    }

    private sealed class Rule(FwmarkRule rule)
    {
        private readonly IpProtocol _protocol = rule.Protocol;
        private readonly uint _dst = rule.Destination & rule.DestinationMask, _dstMask = rule.DestinationMask;
        private readonly uint _src = rule.Source & rule.SourceMask, _srcMask = rule.SourceMask;
        private readonly bool _v6 = rule.Destination6 is not null;
        private readonly Packets.Ipv6Address _dst6Mask = Packets.Ipv6Address.PrefixMask(rule.Destination6 is null ? 0 : rule.Destination6Prefix);
        private readonly Packets.Ipv6Address _dst6 = (rule.Destination6 ?? default).And(rule.Destination6 is null ? 0 : rule.Destination6Prefix);
        private readonly Packets.Ipv6Address _src6Mask = Packets.Ipv6Address.PrefixMask(rule.Source6 is null ? 0 : rule.Source6Prefix);
        private readonly Packets.Ipv6Address _src6 = (rule.Source6 ?? default).And(rule.Source6 is null ? 0 : rule.Source6Prefix);
        private readonly PortRange[] _dports = [.. rule.DestinationPorts ?? []];
        private readonly PortRange[] _sports = [.. rule.SourcePorts ?? []];

        public uint Mark { get; } = rule.Mark;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Matches(IpProtocol protocol, InetAddress source, ushort sourcePort, InetAddress destination, ushort destinationPort) =>
            (_protocol == IpProtocol.Ip || _protocol == protocol)
            && destination.IsV6 == _v6
            && AddressesMatch(source, destination)
            && InAny(_dports, destinationPort)
            && InAny(_sports, sourcePort);

        private bool AddressesMatch(InetAddress source, InetAddress destination) =>
            _v6
                ? destination.V6.And(_dst6Mask) == _dst6 && source.V6.And(_src6Mask) == _src6
                : (destination.V4 & _dstMask) == _dst && (source.V4 & _srcMask) == _src;

        private static bool InAny(PortRange[] ranges, ushort port)
        {
            if (ranges.Length == 0)
            {
                return true;
            }

            foreach (PortRange r in ranges)
            {
                if (r.Contains(port))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
