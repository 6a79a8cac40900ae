using System.Net;
using Lvs.Core.Services;
using Lvs.Linux.Netlink;
using Lvs.Linux.Steering;

namespace Lvs.Daemon;

/// <summary>
/// Keeps the nftables steering rules equal to the service table: every VIP:port, and for NAT
/// every real server's replies (except those to the director's own addresses), are dropped at
/// netdev ingress so the kernel neither answers nor forwards them — the packet sockets still see them.
/// </summary>
/// <param name="fwmarkTable">The nftables table (family ip) holding the operator's marking rules for fwmark services.</param>
/// <param name="alsoApply">Called with every spec after nft took it: the XDP ports' maps (null without XDP).</param>
public sealed class SteeringSync(NftSteering nft, ServiceTable services, NetlinkMirror mirror, IReadOnlyList<string> devices,
    string fwmarkTable = FwmarkRules.DefaultTable, Action<SteeringSpec>? alsoApply = null)
{
    private readonly object _gate = new();
    private IReadOnlyList<MarkRule> _marks = [];

    /// <summary>
    /// Re-reads the marking rules, then rebuilds the steering rules from the current table and
    /// installs them in one nft transaction. Marking rules lvsd cannot evaluate are reported and
    /// the previous ones stay in force.
    /// </summary>
    /// <exception cref="FwmarkRuleException">The marking rules were refused (the steering rules were still applied).</exception>
    public void Apply()
    {
        lock (_gate)
        {
            FwmarkRuleException? refused = null;
            try
            {
                _marks = FwmarkRules.Read(fwmarkTable);
                services.Marks = ToClassifier(_marks);
            }
            catch (FwmarkRuleException e)
            {
                refused = e;
            }

            SteeringSpec spec = BuildSpec();
            nft.Apply(spec);
            alsoApply?.Invoke(spec);
            if (refused is not null)
            {
                throw refused;
            }
        }
    }

    /// <summary>The core's classifier: one rule per destination and source prefix pair, in rule order.</summary>
    public static FwmarkClassifier ToClassifier(IReadOnlyList<MarkRule> rules)
    {
        var list = new List<FwmarkRule>();
        foreach (MarkRule r in rules)
        {
            IpProtocol protocol = r.Protocol switch { "tcp" => IpProtocol.Tcp, "udp" => IpProtocol.Udp, _ => IpProtocol.Ip };
            PortRange[] dports = [.. r.DestinationPorts.Select(p => new PortRange(p.Low, p.High))];
            PortRange[] sports = [.. r.SourcePorts.Select(p => new PortRange(p.Low, p.High))];
            IReadOnlyList<Prefix4> sources = r.Sources.Count > 0 ? r.Sources : [new Prefix4(0, 0)];
            foreach (Prefix4 d in r.Destinations)
            {
                foreach (Prefix4 s in sources)
                {
                    list.Add(new FwmarkRule(r.Mark, protocol, d.Address, d.Mask, s.Address, s.Mask, dports, sports));
                }
            }
        }

        return new FwmarkClassifier(list);
    }

    /// <summary>Removes every rule (on exit, and stale ones from a crashed run at start).</summary>
    public void RemoveAll()
    {
        lock (_gate)
        {
            nft.RemoveAll();
        }
    }

    public SteeringSpec BuildSpec()
    {
        var vips = new List<SteeredEndpoint>();
        var reals = new List<SteeredEndpoint>();
        var marks = new HashSet<uint>();
        foreach (VirtualService svc in services.Snapshot())
        {
            SteeringProtocol[] protocols = svc.Key.Protocol switch
            {
                IpProtocol.Tcp => [SteeringProtocol.Tcp],
                IpProtocol.Udp => [SteeringProtocol.Udp],
                _ => [SteeringProtocol.Tcp, SteeringProtocol.Udp], // fwmark: whatever the marking rules match
            };
            if (svc.Key.IsFwmark)
            {
                marks.Add(svc.Key.Address);
            }
            else
            {
                vips.Add(new SteeredEndpoint(RoutingView.ToIPAddress(svc.Key.Address), protocols[0], svc.Key.Port));
            }

            foreach (RealServer d in svc.Destinations)
            {
                if (d.Method != ForwardMethod.Masquerade)
                {
                    continue;
                }

                // Port-0 and fwmark services' connections keep their own ports: the servers answer from any.
                ushort port = svc.Key.Port == 0 ? (ushort)0 : d.Port;
                foreach (SteeringProtocol proto in protocols)
                {
                    reals.Add(new SteeredEndpoint(RoutingView.ToIPAddress(d.Address), proto, port));
                }
            }
        }

        IPAddress[] locals = [.. mirror.Addresses.Select(a => a.Address).Distinct()];
        return new SteeringSpec
        {
            Devices = devices,
            Services = vips,
            NatRealServers = reals,
            LocalAddresses = locals,
            MarkedTraffic = [.. _marks.Where(m => marks.Contains(m.Mark))],
        };
    }
}
