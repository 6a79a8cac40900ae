using System.Net;
using System.Net.Sockets;
using Lvs.Vrrp;
using Lvs.Vrrp.Packets;

namespace Lvs.Daemon.Config;

internal sealed partial class KeepalivedInterpreter
{
    /// <summary>vrrp_instance keywords that only tune keepalived's own behaviour: accepted with a warning.</summary>
    private static readonly HashSet<string> VrrpIgnored = new(StringComparer.Ordinal)
    {
        "dont_track_primary", "smtp_alert", "garp_master_refresh", "garp_master_refresh_repeat", "garp_lower_prio_delay",
        "garp_lower_prio_repeat", "lower_prio_no_advert", "higher_prio_send_advert", "skip_check_adv_addr", "strict_mode",
        "native_ipv6", "debug", "promote_secondaries", "virtual_routes", "virtual_rules", "virtual_ipaddress_excluded",
        "accept", "no_accept", "use_vmac", "vmac_xmit_base", "linkbeat_use_polling", "mcast_src_ip", "notify_master_rx_lower_pri",
    };

    private void VrrpInstanceBlock(KeepalivedNode node)
    {
        if (BlockName(node) is not { } name)
        {
            return;
        }

        if (_vrrpInstances.Any(i => i.Name == name))
        {
            _diagnostics.Error(node.Arguments[0].Location, $"vrrp_instance '{name}' is defined twice");
            return;
        }

        int errors = _diagnostics.Errors.Count;
        string? iface = null;
        int? vrid = null;
        int priority = 100;
        double interval = 1;
        VrrpVersion? version = null;
        bool master = false, nopreempt = false;
        double preemptDelay = 0, garpDelay = 5;
        int garpRepeat = 5;
        string? authPass = null;
        IPAddress? unicastSrc = null;
        var peers = new List<IPAddress>();
        var vips = new List<VirtualAddress>();
        var trackIf = new List<TrackedInterface>();
        var trackScript = new List<TrackedScript>();
        VrrpNotify notify = VrrpNotify.None;
        KeepalivedNode? intervalNode = null;

        foreach (KeepalivedNode c in node.Children ?? [])
        {
            switch (c.Name)
            {
                case "state":
                    master = c.Argument(0)?.Text switch
                    {
                        "MASTER" => true,
                        "BACKUP" => false,
                        _ => Fail(c, "state is MASTER or BACKUP"),
                    };
                    break;
                case "interface":
                    iface = c.Argument(0)?.Text;
                    if (iface is null)
                    {
                        _diagnostics.Error(c.Location, "interface needs a name");
                    }

                    break;
                case "virtual_router_id":
                    vrid = Int(c, 1, 255);
                    break;
                case "priority":
                    priority = Int(c, 1, 255) ?? priority;
                    break;
                case "advert_int":
                    interval = Seconds(c, 0.01, 40.95) ?? interval;
                    intervalNode = c;
                    break;
                case "version":
                    version = Int(c, 2, 3) is { } v ? (VrrpVersion)v : version;
                    break;
                case "nopreempt":
                    nopreempt = true;
                    break;
                case "preempt":
                    break;
                case "preempt_delay":
                    preemptDelay = Seconds(c, 0, 1000) ?? preemptDelay;
                    break;
                case "garp_master_delay":
                    garpDelay = Int(c, 0, 3600) ?? garpDelay;
                    break;
                case "garp_master_repeat":
                    garpRepeat = Int(c, 1, 255) ?? garpRepeat;
                    break;
                case "authentication":
                    authPass = Authentication(c);
                    break;
                case "unicast_src_ip":
                    unicastSrc = c.Argument(0) is { } u ? Address(u, "unicast_src_ip") : Address(new KeepalivedToken("", c.Location), "unicast_src_ip");
                    break;
                case "unicast_peer":
                    foreach (KeepalivedNode p in c.Children ?? [])
                    {
                        if (Address(p.Keyword, "unicast_peer") is { } peer)
                        {
                            peers.Add(peer);
                        }
                    }

                    break;
                case "virtual_ipaddress":
                    foreach (KeepalivedNode line in c.Children ?? [])
                    {
                        if (VirtualAddressLine(line) is { } vip)
                        {
                            vips.Add(vip);
                        }
                    }

                    break;
                case "track_interface":
                    foreach (KeepalivedNode t in c.Children ?? [])
                    {
                        trackIf.Add(new TrackedInterface(t.Name, TrackWeight(t) ?? 0));
                    }

                    break;
                case "track_script":
                    foreach (KeepalivedNode t in c.Children ?? [])
                    {
                        if (_vrrpScripts.All(s => s.Name != t.Name))
                        {
                            _diagnostics.Error(t.Location, $"track_script: no vrrp_script named '{t.Name}'");
                        }

                        trackScript.Add(new TrackedScript(t.Name, TrackWeight(t)));
                    }

                    break;
                case "notify_master" or "notify_backup" or "notify_fault" or "notify_stop" or "notify":
                    notify = Notify(notify, c);
                    break;
                default:
                    if (VrrpIgnored.Contains(c.Name))
                    {
                        _diagnostics.WarnOnce("vrrp:" + c.Name, c.Location, $"vrrp_instance keyword '{c.Name}' is accepted but has no effect in lvsd");
                    }
                    else
                    {
                        _diagnostics.Warn(c.Location, $"unknown vrrp_instance keyword '{c.Name}'; ignored");
                    }

                    break;
            }
        }

        if (iface is null)
        {
            _diagnostics.Error(node.Location, $"vrrp_instance '{name}' needs an interface");
        }

        if (vrid is null && node.Children!.All(c => c.Name != "virtual_router_id"))
        {
            _diagnostics.Error(node.Location, $"vrrp_instance '{name}' needs a virtual_router_id");
        }

        if (vips.Count == 0)
        {
            _diagnostics.Error(node.Location, $"vrrp_instance '{name}' needs at least one virtual_ipaddress");
        }

        bool ipv6 = vips.Count > 0 && vips[0].Address.AddressFamily == AddressFamily.InterNetworkV6;
        if (vips.Any(v => (v.Address.AddressFamily == AddressFamily.InterNetworkV6) != ipv6))
        {
            _diagnostics.Error(node.Location, $"vrrp_instance '{name}': virtual addresses must all be IPv4 or all IPv6");
        }

        VrrpVersion ver = version ?? _vrrpVersion ?? (ipv6 ? VrrpVersion.V3 : VrrpVersion.V2);
        int centiseconds = (int)Math.Round(interval * 100);
        if (ver == VrrpVersion.V2 && ipv6)
        {
            _diagnostics.Error(node.Location, $"vrrp_instance '{name}': VRRP version 2 carries IPv4 only; use version 3 for IPv6");
        }

        if (ver == VrrpVersion.V2 && centiseconds % 100 != 0)
        {
            _diagnostics.Error(intervalNode!.Location, $"advert_int {interval} has a fraction: VRRP version 2 counts whole seconds; add 'version 3'");
        }

        if (ver == VrrpVersion.V3 && authPass is not null)
        {
            _diagnostics.Error(node.Location, $"vrrp_instance '{name}': authentication is VRRP version 2 only (RFC 5798 removed it)");
        }

        if (nopreempt && master)
        {
            _diagnostics.Warn(node.Location, "nopreempt with state MASTER: keepalived ignores nopreempt unless state is BACKUP; so does lvsd");
            nopreempt = false;
        }

        if (unicastSrc is not null && (unicastSrc.AddressFamily == AddressFamily.InterNetworkV6) != ipv6
            || peers.Any(p => (p.AddressFamily == AddressFamily.InterNetworkV6) != ipv6))
        {
            _diagnostics.Error(node.Location, $"vrrp_instance '{name}': unicast addresses must be of the virtual addresses' family");
        }

        if (iface is not null && vrid is not null && _vrrpInstances.FirstOrDefault(i => i.Interface == iface && i.Vrid == vrid && i.IsIpv6 == ipv6) is { } clash)
        {
            _diagnostics.Error(node.Location, $"vrrp_instance '{name}': virtual_router_id {vrid} is already used on {iface} by '{clash.Name}'");
        }

        if (_diagnostics.Errors.Count != errors || iface is null || vrid is null || vips.Count == 0)
        {
            return;
        }

        _vrrpInstances.Add(new VrrpInstanceConfig(name, iface, (byte)vrid, (byte)priority, ver, centiseconds, vips)
        {
            StartAsMaster = master,
            Preempt = !nopreempt,
            PreemptDelay = TimeSpan.FromSeconds(preemptDelay),
            AuthPass = authPass,
            UnicastSource = unicastSrc,
            UnicastPeers = peers,
            TrackInterfaces = trackIf,
            TrackScripts = trackScript,
            GarpMasterDelay = TimeSpan.FromSeconds(garpDelay),
            GarpMasterRepeat = garpRepeat,
            Notify = notify,
        });
    }

    private bool Fail(KeepalivedNode c, string message)
    {
        _diagnostics.Error(c.Argument(0)?.Location ?? c.Location, message);
        return false;
    }

    private int? TrackWeight(KeepalivedNode t)
    {
        if (t.Arguments.Count == 0)
        {
            return null;
        }

        if (t.Arguments[0].Text != "weight")
        {
            _diagnostics.Error(t.Arguments[0].Location, $"'{t.Name}': expected 'weight N'");
            return null;
        }

        return Int(t, -254, 254, 1);
    }

    /// <summary>authentication { auth_type PASS; auth_pass SECRET }; AH is refused.</summary>
    private string? Authentication(KeepalivedNode c)
    {
        string? type = null, pass = null;
        foreach (KeepalivedNode a in c.Children ?? [])
        {
            switch (a.Name)
            {
                case "auth_type":
                    type = a.Argument(0)?.Text;
                    if (type is not ("PASS" or "AH"))
                    {
                        _diagnostics.Error(a.Argument(0)?.Location ?? a.Location, "auth_type is PASS or AH");
                    }
                    else if (type == "AH")
                    {
                        _diagnostics.Error(a.Location, "auth_type AH is not supported (keepalived deprecates it too); use PASS");
                    }

                    break;
                case "auth_pass":
                    pass = a.Argument(0)?.Text;
                    if (pass is { Length: > 8 })
                    {
                        _diagnostics.Warn(a.Location, "auth_pass is longer than 8 characters: only the first 8 are used, as keepalived does");
                        pass = pass[..8];
                    }

                    break;
                default:
                    _diagnostics.Warn(a.Location, $"unknown authentication keyword '{a.Name}'; ignored");
                    break;
            }
        }

        if (type == "PASS" && string.IsNullOrEmpty(pass))
        {
            _diagnostics.Error(c.Location, "auth_type PASS needs an auth_pass");
        }

        return type == "PASS" ? pass : null;
    }

    /// <summary>ADDRESS[/PREFIX] [dev IF] [label L]; other options (brd, scope) are warned about.</summary>
    private VirtualAddress? VirtualAddressLine(KeepalivedNode line)
    {
        string text = line.Name;
        int slash = text.IndexOf('/');
        string addressText = slash < 0 ? text : text[..slash];
        if (Address(new KeepalivedToken(addressText, line.Location), "virtual_ipaddress") is not { } address)
        {
            return null;
        }

        int max = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        int prefix = max;
        if (slash >= 0 && !ConfigValues.TryParseInt(text[(slash + 1)..], 0, max, out prefix))
        {
            _diagnostics.Error(line.Location, $"virtual_ipaddress '{text}': the prefix length must be 0..{max}");
            return null;
        }

        string? device = null, label = null;
        for (int i = 0; i < line.Arguments.Count; i += 2)
        {
            string key = line.Arguments[i].Text;
            string? value = i + 1 < line.Arguments.Count ? line.Arguments[i + 1].Text : null;
            switch (key)
            {
                case "dev" when value is not null:
                    device = value;
                    break;
                case "label" when value is not null:
                    label = value;
                    break;
                default:
                    _diagnostics.Warn(line.Arguments[i].Location, $"virtual_ipaddress option '{key}' is not supported; ignored");
                    break;
            }
        }

        return new VirtualAddress(address, prefix, device, label);
    }
}
