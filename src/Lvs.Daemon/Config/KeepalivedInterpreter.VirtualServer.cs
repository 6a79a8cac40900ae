using Lvs.Core.Scheduling;
using Lvs.Core.Services;

namespace Lvs.Daemon.Config;

/// <summary>virtual_server and real_server blocks.</summary>
internal sealed partial class KeepalivedInterpreter
{
    /// <summary>keepalived's IPVS_DEF_SCHED, used (with a warning, as keepalived gives) when no lvs_sched is set.</summary>
    public const string DefaultScheduler = "wlc";

    /// <summary>keepalived's KEEPALIVED_DEFAULT_DELAY in seconds.</summary>
    public const int DefaultDelayLoopSeconds = 60;

    /// <summary>libipvs's IPVS_SVC_PERSISTENT_TIMEOUT: persistence_timeout without a value ("6 minutes").</summary>
    public const int DefaultPersistenceSeconds = 360;

    private static readonly HashSet<string> Checkers = new(StringComparer.Ordinal)
    {
        "TCP_CHECK", "HTTP_GET", "SSL_GET", "SMTP_CHECK", "DNS_CHECK", "MISC_CHECK", "UDP_CHECK", "PING_CHECK", "BFD_CHECK", "FILE_CHECK",
    };

    /// <summary>Health-check and notification keywords: kept in the document for the checkers to come.</summary>
    private static readonly HashSet<string> KeptForHealth = new(StringComparer.Ordinal)
    {
        "ha_suspend", "virtualhost", "alpha", "omega", "quorum", "hysteresis", "quorum_up", "quorum_down", "smtp_alert",
        "retry", "delay_before_retry", "warmup", "notify_up", "notify_down", "connect_timeout",
    };

    private sealed class ServiceDraft
    {
        public string? Scheduler;
        public List<KeepalivedToken> FlagWords = [];
        public bool Persistent;
        public int PersistenceSeconds = DefaultPersistenceSeconds;
        public uint Mask = 0xFFFF_FFFF;
        public KeepalivedToken? Ops;
        public IpProtocol Protocol = IpProtocol.Tcp;
        public ForwardMethod Method = ForwardMethod.Masquerade;
        public TunnelSpec Tunnel;
        public int DelayLoop = DefaultDelayLoopSeconds;
        public bool InhibitOnFailure;
        public (InetAddress Address, ushort Port, SourceLocation At)? Sorry;
        public bool Inet6;
        public (ForwardMethod Method, TunnelSpec Tunnel)? SorryMethod;
        public bool SorryInhibit;
        public List<ServerDraft> Servers = [];
    }

    private sealed record ServerDraft(InetAddress Address, ushort Port, KeepalivedNode Node)
    {
        public int Weight { get; set; } = 1;

        public (ForwardMethod Method, TunnelSpec Tunnel)? Method { get; set; }

        public int Upper { get; set; }

        public int Lower { get; set; }

        public bool? Inhibit { get; set; }

        public List<KeepalivedNode> Checkers { get; } = [];
    }

    private void VirtualServer(KeepalivedNode node)
    {
        if (!node.HasBlock)
        {
            _diagnostics.Error(node.Location, "virtual_server needs a { } block");
            return;
        }

        var d = new ServiceDraft();
        foreach (KeepalivedNode child in node.Children!)
        {
            ServiceKeyword(d, child);
        }

        List<(ServiceKey Key, SourceLocation At)> keys = ServiceKeys(node, d.Protocol, d.Inet6);
        if (d.Scheduler is null)
        {
            _diagnostics.Warn(node.Location, $"virtual server has no lvs_sched; using the default '{DefaultScheduler}'");
        }

        string scheduler = d.Scheduler ?? DefaultScheduler;
        SchedulerFlags flags = FlagsFor(scheduler, d.FlagWords);
        bool ops = d.Ops is { } opsWord && OpsApplies(keys, opsWord);
        // Without persistence the timeout and mask mean nothing: keep the defaults so a reload sees no change.
        var settings = d.Persistent
            ? new ServiceSettings(scheduler, flags, true, d.PersistenceSeconds * 1000, d.Mask, ops)
            : new ServiceSettings(scheduler, flags, OnePacket: ops);
        List<RealServerDefinition> servers = [.. d.Servers.Select(s =>
        {
            (ForwardMethod method, TunnelSpec tunnel) = s.Method ?? (d.Method, d.Tunnel);
            return new RealServerDefinition(s.Address, s.Port, method, s.Weight, method == ForwardMethod.Tunnel ? tunnel : default, s.Upper, s.Lower);
        })];
        var health = new ServiceHealth(d.DelayLoop,
            [.. d.Servers.Select(s => new RealServerHealth(s.Address, s.Port, s.Inhibit ?? d.InhibitOnFailure, s.Checkers, s.Node))], node);

        foreach ((ServiceKey key, SourceLocation at) in keys)
        {
            if (_defined.TryGetValue(key, out SourceLocation first))
            {
                _diagnostics.Error(at, $"virtual service {key} is already defined at {first}");
                continue;
            }

            _defined[key] = at;
            _services.Add((key, settings, servers, at));
            _health[key] = health;
            if (d.Sorry is { } sorry)
            {
                // Like a real server, the sorry server takes the service's method unless it has its own.
                (ForwardMethod method, TunnelSpec tunnel) = d.SorryMethod ?? (d.Method, d.Tunnel);
                _sorry[key] = new SorryServer(sorry.Address, sorry.Port, method, method == ForwardMethod.Tunnel ? tunnel : default, d.SorryInhibit, sorry.At);
            }
        }
    }

    /// <summary>virtual_server IP PORT | fwmark N | group NAME.</summary>
    private List<(ServiceKey, SourceLocation)> ServiceKeys(KeepalivedNode node, IpProtocol protocol, bool inet6)
    {
        IReadOnlyList<KeepalivedToken> a = node.Arguments;
        if (a.Count != 2)
        {
            _diagnostics.Error(node.Location, "virtual_server needs 'IP PORT', 'fwmark N' or 'group NAME'");
            return [];
        }

        if (a[0].Text == "fwmark")
        {
            return TryFwmark(node, 1) is { } mark ? [(ServiceKey.ForFwmark(mark, inet6), node.Location)] : [];
        }

        if (a[0].Text == "group")
        {
            if (!_groups.TryGetValue(a[1].Text, out KeepalivedNode? group))
            {
                _diagnostics.Error(a[1].Location, $"virtual_server_group '{a[1].Text}' is not defined");
                return [];
            }

            return GroupMembers(group, protocol);
        }

        if (!ConfigValues.TryParseAddress(a[0].Text, out InetAddress address))
        {
            _diagnostics.Error(a[0].Location, ConfigValues.AddressError(a[0].Text, "virtual server address"));
            return [];
        }

        if (!ConfigValues.TryParsePort(a[1].Text, out ushort port))
        {
            _diagnostics.Error(a[1].Location, $"bad port '{a[1].Text}' (0..65535)");
            return [];
        }

        return [(new ServiceKey(protocol, address, port), node.Location)];
    }

    private void ServiceKeyword(ServiceDraft d, KeepalivedNode n)
    {
        KeepalivedToken? arg = n.Argument(0);
        switch (n.Name)
        {
            case "delay_loop":
                if (Int(n, 0, int.MaxValue) is { } delay)
                {
                    d.DelayLoop = Math.Max(delay, 1); // keepalived raises anything below a second to one
                }

                break;
            case "lb_algo" or "lvs_sched":
                if (arg is not { } sched)
                {
                    _diagnostics.Error(n.Location, $"{n.Name} needs a scheduler name");
                }
                else if (!SchedulerRegistry.IsKnown(sched.Text))
                {
                    _diagnostics.Error(sched.Location, $"unknown scheduler '{sched.Text}' ({string.Join(", ", SchedulerRegistry.IpvsNames)})");
                }
                else
                {
                    d.Scheduler = sched.Text;
                }

                break;
            case "flag-1" or "flag-2" or "flag-3" or "sh-port" or "sh-fallback" or "mh-port" or "mh-fallback":
                d.FlagWords.Add(n.Keyword);
                break;
            case "hashed":
                break; // IP_VS_SVC_F_HASHED is the kernel's own bookkeeping: nothing to set
            case "ops":
                d.Ops = n.Keyword;
                break;
            case "lb_kind" or "lvs_method":
                if (Method(n) is { } m)
                {
                    (d.Method, d.Tunnel) = m;
                }

                break;
            case "persistence_timeout":
                if (arg is null)
                {
                    d.Persistent = true;
                    d.PersistenceSeconds = DefaultPersistenceSeconds;
                }
                else if (Int(n, 1, int.MaxValue / 1000) is { } timeout)
                {
                    d.Persistent = true;
                    d.PersistenceSeconds = timeout;
                }

                break;
            case "persistence_granularity":
                // IPv4: a dotted netmask; IPv6: a prefix length 1..128 (keepalived's inet_stopn), applied to IPv6 services.
                if (arg is { } maskText && (ConfigValues.TryParseNetmask(maskText.Text, out uint mask)
                                            || (ConfigValues.TryParseInt(maskText.Text, 1, 128, out int prefix) && (mask = (uint)prefix) > 0)))
                {
                    d.Mask = mask;
                    d.Persistent = true; // keepalived turns persistence on with its default timeout
                }
                else
                {
                    _diagnostics.Error(arg?.Location ?? n.Location, "persistence_granularity needs a netmask (e.g. 255.255.255.0) or an IPv6 prefix length (e.g. 64)");
                }

                break;
            case "persistence_engine":
                _diagnostics.Warn(n.Location, "persistence engines (--pe) are not built; persistence_engine ignored");
                break;
            case "protocol":
                switch (arg?.Text)
                {
                    case "TCP":
                        d.Protocol = IpProtocol.Tcp;
                        break;
                    case "UDP":
                        d.Protocol = IpProtocol.Udp;
                        break;
                    case "SCTP":
                        _diagnostics.Error(arg.Value.Location, "SCTP services are not built yet");
                        break;
                    default:
                        _diagnostics.Error(arg?.Location ?? n.Location, "protocol must be TCP, UDP or SCTP");
                        break;
                }

                break;
            case "ip_family":
                if (arg?.Text == "inet6")
                {
                    d.Inet6 = true; // makes a fwmark service IPv6; an address names its own family
                }
                else if (arg?.Text != "inet")
                {
                    _diagnostics.Error(arg?.Location ?? n.Location, "ip_family must be inet or inet6");
                }

                break;
            case "inhibit_on_failure":
                d.InhibitOnFailure = Bool(n);
                break;
            case "nat_mask":
                _diagnostics.WarnOnce("vs:nat_mask", n.Location, "nat_mask is obsolete in keepalived and ignored");
                break;
            case "sorry_server":
                if (Server(n) is { } sorry)
                {
                    d.Sorry = sorry;
                }

                break;
            case "sorry_server_inhibit":
                if (d.Sorry is null)
                {
                    _diagnostics.Warn(n.Location, "sorry_server_inhibit before or without sorry_server; ignored (as keepalived)");
                }
                else
                {
                    d.SorryInhibit = Bool(n);
                }

                break;
            case "sorry_server_lvs_method":
                if (Method(n) is { } sorryMethod)
                {
                    d.SorryMethod = sorryMethod;
                }

                break;
            case "real_server":
                RealServer(d, n);
                break;
            default:
                if (!KeptForHealth.Contains(n.Name))
                {
                    _diagnostics.Warn(n.Location, $"unknown keyword '{n.Name}' in virtual_server; ignored");
                }

                break;
        }
    }
}
