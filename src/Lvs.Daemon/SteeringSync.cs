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
public sealed class SteeringSync(NftSteering nft, ServiceTable services, NetlinkMirror mirror, IReadOnlyList<string> devices)
{
    private readonly object _gate = new();

    /// <summary>Rebuilds the rules from the current table and installs them in one nft transaction.</summary>
    public void Apply()
    {
        lock (_gate)
        {
            nft.Apply(BuildSpec());
        }
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
        foreach (VirtualService svc in services.Snapshot())
        {
            SteeringProtocol proto = svc.Key.Protocol == IpProtocol.Tcp ? SteeringProtocol.Tcp : SteeringProtocol.Udp;
            vips.Add(new SteeredEndpoint(RoutingView.ToIPAddress(svc.Key.Address), proto, svc.Key.Port));
            foreach (RealServer d in svc.Destinations)
            {
                if (d.Method == ForwardMethod.Masquerade)
                {
                    // A port-0 service's connections keep their own ports: its servers answer from any.
                    reals.Add(new SteeredEndpoint(RoutingView.ToIPAddress(d.Address), proto, svc.Key.Port == 0 ? (ushort)0 : d.Port));
                }
            }
        }

        IPAddress[] locals = [.. mirror.Addresses.Select(a => a.Address).Distinct()];
        return new SteeringSpec { Devices = devices, Services = vips, NatRealServers = reals, LocalAddresses = locals };
    }
}
