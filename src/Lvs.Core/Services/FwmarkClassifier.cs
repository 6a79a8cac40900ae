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
/// </summary>
public sealed record FwmarkRule(
    uint Mark,
    IpProtocol Protocol = IpProtocol.Ip,
    uint Destination = 0,
    uint DestinationMask = 0,
    uint Source = 0,
    uint SourceMask = 0,
    IReadOnlyList<PortRange>? DestinationPorts = null,
    IReadOnlyList<PortRange>? SourcePorts = null);

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
    public uint Classify(IpProtocol protocol, uint source, ushort sourcePort, uint destination, ushort destinationPort)
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
        private readonly PortRange[] _dports = [.. rule.DestinationPorts ?? []];
        private readonly PortRange[] _sports = [.. rule.SourcePorts ?? []];

        public uint Mark { get; } = rule.Mark;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public bool Matches(IpProtocol protocol, uint source, ushort sourcePort, uint destination, ushort destinationPort) =>
            (_protocol == IpProtocol.Ip || _protocol == protocol)
            && (destination & _dstMask) == _dst
            && (source & _srcMask) == _src
            && InAny(_dports, destinationPort)
            && InAny(_sports, sourcePort);

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
