using System.Net;
using Lvs.Core.Services;
using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO.Fanout;
using Lvs.Linux.Steering;

namespace Lvs.Daemon;

/// <summary>
/// Keeps the nftables steering rules equal to the service table: every VIP:port, and for NAT
/// every real server's replies (except those to the director's own addresses), are dropped at
/// netdev ingress so the kernel neither answers nor forwards them — the packet sockets still see them.
/// </summary>
/// <param name="fwmarkTable">The nftables tables (families ip and ip6: -f N and -f N -6) holding the operator's marking rules for fwmark services.</param>
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
            if (r.IsIpv6)
            {
                IReadOnlyList<Prefix6> sources6 = r.Sources6.Count > 0 ? r.Sources6 : [new Prefix6(default, 0)];
                foreach (Prefix6 d in r.Destinations6)
                {
                    foreach (Prefix6 s in sources6)
                    {
                        list.Add(new FwmarkRule(r.Mark, protocol, DestinationPorts: dports, SourcePorts: sports)
                        {
                            Destination6 = new Lvs.Core.Packets.Ipv6Address(d.Address.High, d.Address.Low),
                            Destination6Prefix = d.Length,
                            Source6 = new Lvs.Core.Packets.Ipv6Address(s.Address.High, s.Address.Low),
                            Source6Prefix = s.Length,
                        });
                    }
                }

                continue;
            }

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

    /// <summary>
    /// How the worker fanout must hash clients: a persistence template lives in one worker, so
    /// with persistent services a client network (the widest -M mask, the shortest IPv6 prefix)
    /// must reach one worker whatever its ports.
    /// </summary>
    internal static FanoutKey FanoutKeyOf(IEnumerable<VirtualService> services)
    {
        var persistent = services.Where(s => s.Settings.Persistent).ToList();
        return FanoutKey.For(
            persistent.Where(s => !s.Key.IsV6).Select(s => s.Settings.PersistenceMask),
            persistent.Where(s => s.Key.IsV6).Select(s => (int)Math.Min(s.Settings.PersistenceMask, 128u)));
    }

    public SteeringSpec BuildSpec()
    {
        var vips = new List<SteeredEndpoint>();
        var reals = new List<SteeredEndpoint>();
        var marks = new HashSet<uint>();
        var marks6 = new HashSet<uint>();
        IReadOnlyList<VirtualService> all = services.Snapshot();
        foreach (VirtualService svc in all)
        {
            SteeringProtocol[] protocols = svc.Key.Protocol switch
            {
                IpProtocol.Tcp => [SteeringProtocol.Tcp],
                IpProtocol.Udp => [SteeringProtocol.Udp],
                _ => [SteeringProtocol.Tcp, SteeringProtocol.Udp], // fwmark: whatever the marking rules match
            };
            if (svc.Key.IsFwmark)
            {
                // A rule is steered only for a fwmark service of its own family: an IPv4 rule for an
                // IPv6-only mark would drop IPv4 traffic no service takes.
                (svc.Key.IsV6 ? marks6 : marks).Add(svc.Key.Mark);
            }
            else
            {
                vips.Add(new SteeredEndpoint(svc.Key.Address.ToIPAddress(), protocols[0], svc.Key.Port));
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
                    reals.Add(new SteeredEndpoint(d.Address.ToIPAddress(), proto, port));
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
            FanoutKey = FanoutKeyOf(all),
            MarkedTraffic = [.. _marks.Where(m => (m.IsIpv6 ? marks6 : marks).Contains(m.Mark))],
        };
    }
}
