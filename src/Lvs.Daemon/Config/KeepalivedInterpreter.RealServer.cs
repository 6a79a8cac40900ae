using Lvs.Core.Scheduling;
using Lvs.Core.Services;

namespace Lvs.Daemon.Config;

/// <summary>real_server blocks and the value forms the blocks share.</summary>
internal sealed partial class KeepalivedInterpreter
{
    /// <summary>ipvsadm's weight range (-w 0..65535).</summary>
    public const int MaxWeight = 65535;

    private void RealServer(ServiceDraft d, KeepalivedNode n)
    {
        if (Server(n) is not { } at)
        {
            return;
        }

        if (d.Servers.Find(o => o.Address == at.Address && o.Port == at.Port) is { } earlier)
        {
            _diagnostics.Error(n.Location, $"real server {at.Address.WithPort(at.Port)} is already defined at {earlier.Node.Location}");
            return;
        }

        var s = new ServerDraft(at.Address, at.Port, n);
        foreach (KeepalivedNode c in n.Children ?? [])
        {
            switch (c.Name)
            {
                case "weight":
                    s.Weight = Int(c, 0, MaxWeight) ?? s.Weight;
                    break;
                case "lb_kind" or "lvs_method":
                    s.Method = Method(c) ?? s.Method;
                    break;
                case "uthreshold":
                    s.Upper = Int(c, 0, int.MaxValue) ?? s.Upper;
                    break;
                case "lthreshold":
                    s.Lower = Int(c, 0, int.MaxValue) ?? s.Lower;
                    break;
                case "inhibit_on_failure":
                    s.Inhibit = Bool(c);
                    break;
                default:
                    if (Checkers.Contains(c.Name))
                    {
                        s.Checkers.Add(c);
                        _diagnostics.WarnOnce("checker", c.Location, $"'{c.Name}' is kept but not run: health checking is not built yet");
                    }
                    else if (!KeptForHealth.Contains(c.Name) && c.Name != "delay_loop")
                    {
                        _diagnostics.Warn(c.Location, $"unknown keyword '{c.Name}' in real_server; ignored");
                    }

                    break;
            }
        }

        d.Servers.Add(s);
    }

    /// <summary>"IP PORT" of real_server and sorry_server.</summary>
    private (InetAddress Address, ushort Port, SourceLocation At)? Server(KeepalivedNode n)
    {
        IReadOnlyList<KeepalivedToken> a = n.Arguments;
        if (a.Count != 2)
        {
            _diagnostics.Error(n.Location, $"{n.Name} needs 'IP PORT'");
            return null;
        }

        if (!ConfigValues.TryParseAddress(a[0].Text, out InetAddress address))
        {
            _diagnostics.Error(a[0].Location, ConfigValues.AddressError(a[0].Text, $"{n.Name} address"));
            return null;
        }

        if (!ConfigValues.TryParsePort(a[1].Text, out ushort port))
        {
            _diagnostics.Error(a[1].Location, $"bad port '{a[1].Text}' (0..65535)");
            return null;
        }

        return (address, port, n.Location);
    }

    /// <summary>
    /// lvs_method NAT|DR|TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum], keepalived's spelling of
    /// ipvsadm's -m/-g/-i with --tun-type, --tun-port and the checksum options.
    /// </summary>
    private (ForwardMethod Method, TunnelSpec Tunnel)? Method(KeepalivedNode n)
    {
        IReadOnlyList<KeepalivedToken> a = n.Arguments;
        ForwardMethod? method = a.Count == 0 ? null : a[0].Text switch
        {
            "NAT" => ForwardMethod.Masquerade,
            "DR" => ForwardMethod.DirectRoute,
            "TUN" => ForwardMethod.Tunnel,
            _ => null,
        };
        if (method is not { } m)
        {
            _diagnostics.Error(a.Count > 0 ? a[0].Location : n.Location, $"{n.Name} must be NAT, DR or TUN");
            return null;
        }

        if (m != ForwardMethod.Tunnel && a.Count > 1)
        {
            _diagnostics.Error(a[1].Location, $"{a[0].Text} takes no options (tunnel options are for TUN)");
            return null;
        }

        TunnelType type = TunnelType.IpIp;
        int? port = null;
        TunnelChecksum? checksum = null;
        for (int i = 1; i < a.Count; i++)
        {
            string word = a[i].Text;
            switch (word)
            {
                case "type" when i + 1 < a.Count && a[i + 1].Text is "ipip" or "gue" or "gre":
                    type = a[++i].Text switch { "gue" => TunnelType.Gue, "gre" => TunnelType.Gre, _ => TunnelType.IpIp };
                    break;
                case "port" when i + 1 < a.Count && ConfigValues.TryParseInt(a[i + 1].Text, 1, ushort.MaxValue, out int p):
                    port = p;
                    i++;
                    break;
                case "nocsum" or "csum" or "remcsum":
                    checksum = word switch { "csum" => TunnelChecksum.Checksum, "remcsum" => TunnelChecksum.RemoteChecksum, _ => TunnelChecksum.NoChecksum };
                    break;
                default:
                    _diagnostics.Error(a[i].Location, $"bad tunnel option '{word}' (type ipip|gue|gre, port 1..65535, nocsum|csum|remcsum)");
                    return null;
            }
        }

        if (type == TunnelType.Gue && port is null)
        {
            _diagnostics.Error(n.Location, "a gue tunnel needs a port");
            return null;
        }

        if (type != TunnelType.Gue && port is not null)
        {
            _diagnostics.Error(n.Location, "a tunnel port is only for gue");
            return null;
        }

        if (type == TunnelType.IpIp && checksum is not null)
        {
            _diagnostics.Error(n.Location, "checksum options are only for gue and gre tunnels");
            return null;
        }

        return (m, new TunnelSpec(type, (ushort)(port ?? 0), checksum ?? TunnelChecksum.NoChecksum));
    }

    /// <summary>The statement's first argument as an integer in range, or null with an error naming the keyword.</summary>
    private int? Int(KeepalivedNode n, long min, long max)
    {
        if (n.Argument(0) is { } t && ConfigValues.TryParseInt(t.Text, min, max, out int value))
        {
            return value;
        }

        _diagnostics.Error(n.Argument(0)?.Location ?? n.Location, $"{n.Name} needs a number from {min} to {max}");
        return null;
    }

    private bool Bool(KeepalivedNode n)
    {
        if (ConfigValues.TryParseBool(n.Argument(0), out bool value))
        {
            return value;
        }

        _diagnostics.Error(n.Argument(0)!.Value.Location, $"{n.Name} takes on|off|true|false|yes|no");
        return false;
    }

    /// <summary>
    /// The scheduler flags named by flag-N / sh-* / mh-* keywords. As keepalived, a scheduler's own flag
    /// under another scheduler is ignored with a warning.
    /// </summary>
    private SchedulerFlags FlagsFor(string scheduler, List<KeepalivedToken> words)
    {
        SchedulerFlags flags = SchedulerFlags.None;
        foreach (KeepalivedToken w in words)
        {
            string? only = w.Text.StartsWith("sh-", StringComparison.Ordinal) ? "sh" : w.Text.StartsWith("mh-", StringComparison.Ordinal) ? "mh" : null;
            if (only is not null && only != scheduler)
            {
                _diagnostics.Warn(w.Location, $"{w.Text} only applies to the {only} scheduler; ignored");
                continue;
            }

            flags |= w.Text switch
            {
                "flag-1" or "sh-fallback" or "mh-fallback" => SchedulerFlags.Fallback,
                "flag-2" or "sh-port" or "mh-port" => SchedulerFlags.Port,
                _ => SchedulerFlags.Flag3,
            };
        }

        return flags;
    }

    /// <summary>One-packet scheduling is for UDP (and fwmark) services; on TCP ipvsadm refuses it, so warn and drop.</summary>
    private bool OpsApplies(List<(ServiceKey Key, SourceLocation At)> keys, KeepalivedToken ops)
    {
        if (keys.Exists(k => k.Key.Protocol == IpProtocol.Tcp))
        {
            _diagnostics.Warn(ops.Location, "ops (one-packet scheduling) only applies to UDP services; ignored");
            return false;
        }

        return true;
    }
}
