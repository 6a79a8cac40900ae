using System.Net;
using System.Net.Sockets;
using Lvs.Linux.Netlink;
using Lvs.Linux.Vrrp;

namespace Lvs.Vrrp;

public sealed partial class VrrpService
{
    private readonly Dictionary<string, byte[]> _macs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _linkUp = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FrameSocket> _frameSockets = new(StringComparer.Ordinal);

    /// <summary>Links (up, MAC) and each VRRP link's primary address, from rtnetlink dumps of this namespace.</summary>
    private void RefreshInterfaces()
    {
        IReadOnlyList<LinkInfo> links = _netlink.DumpLinks();
        IReadOnlyList<AddressInfo> addresses = _netlink.DumpAddresses();
        _linkUp.Clear();
        foreach (LinkInfo l in links)
        {
            _linkUp[l.Name] = l.IsUp && l.IsLowerUp;
            byte[] mac = new byte[6];
            l.Mac.WriteTo(mac);
            _macs[l.Name] = mac;
        }

        foreach (Link link in _links.Values)
        {
            LinkInfo? info = links.FirstOrDefault(l => l.Name == link.Name);
            link.Primary = info is null ? null : Primary(addresses, info.Index, link.IsIpv6, link.Instances);
            if (link.Primary is { } p)
            {
                foreach (VrrpInstance i in link.Instances)
                {
                    if (i.Config.UnicastSource is null)
                    {
                        i.Machine.SetLocalAddress(p);
                    }
                }
            }
        }
    }

    /// <summary>The interface's first address that is not a virtual one (IPv6: link-local, as RFC 5798 requires).</summary>
    private static byte[]? Primary(IReadOnlyList<AddressInfo> addresses, int ifIndex, bool ipv6, List<VrrpInstance> instances)
    {
        foreach (AddressInfo a in addresses)
        {
            if (a.IfIndex != ifIndex || (a.Family == AddressFamily.InterNetworkV6) != ipv6 || (ipv6 && !a.Address.IsIPv6LinkLocal))
            {
                continue;
            }

            if (instances.Any(i => i.Config.VirtualAddresses.Any(v => v.Address.Equals(a.Address))))
            {
                continue;
            }

            return a.Address.GetAddressBytes();
        }

        return null;
    }

    /// <summary>Applies track_interface and track_script: FAULT for weight-0 failures, else the summed weights.</summary>
    private void Track(VrrpInstance instance, TimeSpan now, bool initial)
    {
        VrrpInstanceConfig c = instance.Config;
        string? fault = null;
        int priority = c.Priority;
        if (!_linkUp.GetValueOrDefault(c.Interface))
        {
            fault = $"interface {c.Interface} is down";
        }

        foreach (TrackedInterface t in c.TrackInterfaces)
        {
            bool up = _linkUp.GetValueOrDefault(t.Name);
            if (t.Weight == 0 && !up)
            {
                fault ??= $"tracked interface {t.Name} is down";
            }
            else if ((t.Weight > 0 && up) || (t.Weight < 0 && !up))
            {
                priority += t.Weight;
            }
        }

        foreach (TrackedScript t in c.TrackScripts)
        {
            if (!_scripts.TryGetValue(t.Name, out ScriptTracker? script))
            {
                continue;
            }

            int weight = t.Weight ?? script.Config.Weight;
            bool good = script.Good;
            if (weight == 0 && !good)
            {
                fault ??= $"tracked script {t.Name} failed";
            }
            else if ((weight > 0 && good) || (weight < 0 && !good))
            {
                priority += weight;
            }
        }

        Apply(instance, instance.Machine.SetPriority(now, priority), now, fromGroup: false);
        bool faulted = instance.Machine.Role == VrrpRole.Fault || (initial && fault is not null);
        if ((fault is not null) != faulted || initial)
        {
            Apply(instance, instance.Machine.SetFault(now, fault is not null, fault ?? "tracking good again"), now, fromGroup: false);
        }
    }

    private FrameSocket FrameSocketFor(string device)
    {
        if (!_frameSockets.TryGetValue(device, out FrameSocket? socket))
        {
            socket = FrameSocket.Open(device);
            _frameSockets[device] = socket;
        }

        return socket;
    }

    /// <summary>One interface and family: its socket, the instances on it, and its primary address.</summary>
    private sealed class Link(string name, bool ipv6, VrrpSocket socket) : IDisposable
    {
        public string Name { get; } = name;

        public bool IsIpv6 { get; } = ipv6;

        public VrrpSocket Socket { get; } = socket;

        public List<VrrpInstance> Instances { get; } = [];

        public byte[]? Primary { get; set; }

        public void Dispose() => Socket.Dispose();
    }
}
