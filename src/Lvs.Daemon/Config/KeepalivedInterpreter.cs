using Lvs.Core.Services;

namespace Lvs.Daemon.Config;

/// <summary>
/// Turns a keepalived.conf tree into a <see cref="Configuration"/>: global_defs (what applies to a
/// director), virtual_server_group and virtual_server with their real servers, with keepalived's
/// defaults (NAT, wlc, weight 1, TCP, delay_loop 60). Statements for features lvsd has not built
/// (VRRP, checkers) stay in the document and draw one warning each; unknown keywords are warnings
/// with their line; any error refuses the whole configuration.
/// </summary>
internal sealed partial class KeepalivedInterpreter
{
    /// <summary>Top-level blocks of later features: kept in the document, not acted on yet.</summary>
    private static readonly Dictionary<string, string> LaterTopLevel = new(StringComparer.Ordinal)
    {
        ["vrrp_instance"] = "VRRP is not built yet",
        ["vrrp_sync_group"] = "VRRP is not built yet",
        ["vrrp_script"] = "VRRP is not built yet",
        ["vrrp_track_file"] = "VRRP is not built yet",
        ["vrrp_track_process"] = "VRRP is not built yet",
        ["track_file"] = "VRRP is not built yet",
        ["track_process"] = "VRRP is not built yet",
        ["garp_group"] = "VRRP is not built yet",
        ["static_ipaddress"] = "static addresses are not managed by lvsd yet",
        ["static_routes"] = "static routes are not managed by lvsd yet",
        ["static_rules"] = "static rules are not managed by lvsd yet",
        ["bfd_instance"] = "BFD is not built yet",
        ["SSL"] = "health checking is not built yet",
        ["net_namespace"] = "lvsd runs in the namespace it is started in",
        ["net_namespace_ipvs"] = "lvsd runs in the namespace it is started in",
        ["instance"] = "lvsd has no instance names",
        ["use_pid_dir"] = "lvsd writes no pid files",
        ["linkbeat_use_polling"] = "link monitoring is not built yet",
        ["linkbeat_interfaces"] = "link monitoring is not built yet",
        ["child_wait_time"] = "lvsd has no child processes",
    };

    private readonly DiagnosticBag _diagnostics;
    private readonly Dictionary<string, KeepalivedNode> _groups = new(StringComparer.Ordinal);
    private readonly Dictionary<ServiceKey, SourceLocation> _defined = [];
    private readonly List<(ServiceKey Key, ServiceSettings Settings, List<RealServerDefinition> Servers, SourceLocation At)> _services = [];
    private readonly Dictionary<ServiceKey, SorryServer> _sorry = [];
    private readonly Dictionary<ServiceKey, ServiceHealth> _health = [];
    private LvsTimeouts? _timeouts;
    private KeepalivedNode? _syncDaemon;

    public KeepalivedInterpreter(DiagnosticBag diagnostics) => _diagnostics = diagnostics;

    public ConfigLoadResult Interpret(KeepalivedDocument document)
    {
        // Groups may be defined after the virtual servers that use them, as keepalived allows.
        foreach (KeepalivedNode group in document.StatementsNamed("virtual_server_group"))
        {
            DefineGroup(group);
        }

        foreach (KeepalivedNode statement in document.Statements)
        {
            switch (statement.Name)
            {
                case "global_defs":
                    GlobalDefs(statement);
                    break;
                case "virtual_server_group":
                    break;
                case "virtual_server":
                    VirtualServer(statement);
                    break;
                default:
                    if (LaterTopLevel.TryGetValue(statement.Name, out string? why))
                    {
                        _diagnostics.WarnOnce("top:" + statement.Name, statement.Location, $"'{statement.Name}' is kept but not acted on: {why}");
                    }
                    else
                    {
                        _diagnostics.Warn(statement.Location, $"unknown keyword '{statement.Name}'; ignored");
                    }

                    break;
            }
        }

        Configuration? configuration = _diagnostics.HasErrors ? null : Build();
        return new ConfigLoadResult(configuration, _diagnostics.Errors, _diagnostics.Warnings, document)
        {
            SorryServers = _sorry,
            Health = _health,
            Timeouts = _timeouts,
            SyncDaemon = _syncDaemon,
        };
    }

    /// <summary>Applies the services through <see cref="ConfigurationBuilder"/>, servers in file order, so the table semantics are the control commands'.</summary>
    private Configuration? Build()
    {
        var builder = new ConfigurationBuilder(Configuration.Empty);
        foreach ((ServiceKey key, ServiceSettings settings, List<RealServerDefinition> servers, SourceLocation at) in _services)
        {
            TableResult added = builder.AddService(key, settings);
            if (added != TableResult.Ok)
            {
                _diagnostics.Error(at, $"virtual service {key}: {added}");
                continue;
            }

            foreach (RealServerDefinition rs in servers)
            {
                TableResult server = builder.AddServer(key, rs.Address, rs.Port, rs.Method, rs.Weight, rs.Tunnel, rs.UpperThreshold, rs.LowerThreshold);
                if (server != TableResult.Ok)
                {
                    _diagnostics.Error(at, $"virtual service {key}, real server {rs.Address.WithPort(rs.Port)}: {server}");
                }
            }
        }

        return _diagnostics.HasErrors ? null : builder.Build();
    }

    private void GlobalDefs(KeepalivedNode node)
    {
        foreach (KeepalivedNode child in node.Children ?? [])
        {
            switch (child.Name)
            {
                case "lvs_timeouts":
                    LvsTimeouts(child);
                    break;
                case "lvs_sync_daemon":
                    _syncDaemon = child;
                    _diagnostics.WarnOnce("global:lvs_sync_daemon", child.Location, "'lvs_sync_daemon' is kept but not acted on: connection sync is not built yet");
                    break;
                case "lvs_flush" or "lvs_flush_onstop":
                    // lvsd's table is exactly its configuration on load, and is removed on exit.
                    break;
                default:
                    _diagnostics.WarnOnce("global:" + child.Name, child.Location, $"global_defs keyword '{child.Name}' does not apply to lvsd; ignored");
                    break;
            }
        }
    }

    /// <summary>lvs_timeouts [tcp N] [tcpfin N] [udp N]: ipvsadm --set in seconds.</summary>
    private void LvsTimeouts(KeepalivedNode node)
    {
        int? tcp = _timeouts?.TcpSeconds, fin = _timeouts?.TcpFinSeconds, udp = _timeouts?.UdpSeconds;
        IReadOnlyList<KeepalivedToken> a = node.Arguments;
        if (a.Count == 0)
        {
            _diagnostics.Error(node.Location, "lvs_timeouts needs at least one of tcp, tcpfin, udp with seconds");
            return;
        }

        for (int i = 0; i < a.Count; i += 2)
        {
            if (i + 1 >= a.Count || !ConfigValues.TryParseInt(a[i + 1].Text, 1, int.MaxValue / 1000, out int seconds))
            {
                SourceLocation at = i + 1 < a.Count ? a[i + 1].Location : a[i].Location;
                _diagnostics.Error(at, $"lvs_timeouts {a[i].Text} needs a number of seconds (1..{int.MaxValue / 1000})");
                return;
            }

            switch (a[i].Text)
            {
                case "tcp":
                    tcp = seconds;
                    break;
                case "tcpfin":
                    fin = seconds;
                    break;
                case "udp":
                    udp = seconds;
                    break;
                default:
                    _diagnostics.Error(a[i].Location, $"lvs_timeouts: unknown timeout '{a[i].Text}' (tcp, tcpfin or udp)");
                    return;
            }
        }

        _timeouts = new LvsTimeouts(tcp, fin, udp);
    }

    private void DefineGroup(KeepalivedNode node)
    {
        if (node.Arguments.Count != 1)
        {
            _diagnostics.Error(node.Location, "virtual_server_group needs one name");
            return;
        }

        string name = node.Arguments[0].Text;
        if (!_groups.TryAdd(name, node))
        {
            _diagnostics.Error(node.Arguments[0].Location, $"virtual_server_group '{name}' is already defined at {_groups[name].Location}");
        }
        else if (!node.HasBlock)
        {
            _diagnostics.Error(node.Location, $"virtual_server_group '{name}' needs a {{ }} block of members");
        }
    }

    /// <summary>The service keys of a group's members: "IP PORT", "IP-LAST PORT" (a range in the last octet), "fwmark N".</summary>
    private List<(ServiceKey Key, SourceLocation At)> GroupMembers(KeepalivedNode group, IpProtocol protocol)
    {
        var keys = new List<(ServiceKey, SourceLocation)>();
        foreach (KeepalivedNode member in group.Children ?? [])
        {
            if (member.HasBlock)
            {
                _diagnostics.Error(member.Location, "a virtual_server_group member has no block");
                continue;
            }

            if (member.Name == "fwmark")
            {
                if (TryFwmark(member, 0) is { } mark)
                {
                    keys.Add((ServiceKey.ForFwmark(mark), member.Location));
                }

                continue;
            }

            if (member.Arguments.Count != 1 || !ConfigValues.TryParsePort(member.Arguments[0].Text, out ushort port))
            {
                _diagnostics.Error(member.Arguments.Count > 0 ? member.Arguments[0].Location : member.Location,
                    "a virtual_server_group member is 'IP PORT', 'IP-LAST PORT' or 'fwmark N'");
                continue;
            }

            string text = member.Name;
            int dash = text.IndexOf('-');
            string first = dash < 0 ? text : text[..dash];
            if (!ConfigValues.TryParseIpv4(first, out uint start))
            {
                _diagnostics.Error(member.Location, ConfigValues.AddressError(first, "group member"));
                continue;
            }

            uint end = start;
            if (dash >= 0)
            {
                if (!ConfigValues.TryParseInt(text[(dash + 1)..], start & 0xFF, 255, out int last))
                {
                    _diagnostics.Error(member.Location, $"address range '{text}': the last octet must be from {start & 0xFF} to 255");
                    continue;
                }

                end = (start & 0xFFFF_FF00) | (uint)last;
            }

            for (ulong a = start; a <= end; a++)
            {
                keys.Add((new ServiceKey(protocol, (uint)a, port), member.Location));
            }
        }

        return keys;
    }

    /// <summary>The mark of "fwmark N" (N in 1..2^32-1) at argument <paramref name="index"/>, or null with an error.</summary>
    private uint? TryFwmark(KeepalivedNode node, int index)
    {
        KeepalivedToken? t = node.Argument(index);
        if (t is { } v && ConfigValues.TryParseUInt(v.Text, out ulong mark) && mark is > 0 and <= uint.MaxValue)
        {
            return (uint)mark;
        }

        _diagnostics.Error(t?.Location ?? node.Location, $"fwmark needs a mark from 1 to {uint.MaxValue}");
        return null;
    }
}
