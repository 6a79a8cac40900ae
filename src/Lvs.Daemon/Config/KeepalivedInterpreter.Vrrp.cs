using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Lvs.Vrrp;
using Lvs.Vrrp.Packets;

namespace Lvs.Daemon.Config;

/// <summary>
/// vrrp_script, vrrp_instance and vrrp_sync_group (keepalived.conf(5)) into a <see cref="VrrpConfig"/>.
/// Bad values are errors with their line and refuse the whole file; keywords lvsd does not act
/// on are warnings.
/// </summary>
internal sealed partial class KeepalivedInterpreter
{
    private readonly List<VrrpScriptConfig> _vrrpScripts = [];
    private readonly List<VrrpInstanceConfig> _vrrpInstances = [];
    private readonly List<VrrpSyncGroupConfig> _vrrpGroups = [];
    private VrrpVersion? _vrrpVersion;

    private VrrpConfig BuildVrrp(KeepalivedDocument document)
    {
        foreach (KeepalivedNode s in document.StatementsNamed("vrrp_script"))
        {
            VrrpScript(s);
        }

        foreach (KeepalivedNode s in document.StatementsNamed("vrrp_instance"))
        {
            VrrpInstanceBlock(s);
        }

        foreach (KeepalivedNode s in document.StatementsNamed("vrrp_sync_group"))
        {
            VrrpSyncGroup(s);
        }

        return new VrrpConfig(_vrrpInstances, _vrrpScripts, _vrrpGroups);
    }

    private string? BlockName(KeepalivedNode node)
    {
        if (node.Arguments.Count != 1 || !node.HasBlock)
        {
            _diagnostics.Error(node.Location, $"{node.Name} needs one name and a {{ }} block");
            return null;
        }

        return node.Arguments[0].Text;
    }

    private void VrrpScript(KeepalivedNode node)
    {
        if (BlockName(node) is not { } name)
        {
            return;
        }

        if (_vrrpScripts.Any(s => s.Name == name))
        {
            _diagnostics.Error(node.Arguments[0].Location, $"vrrp_script '{name}' is defined twice");
            return;
        }

        string? script = null;
        double interval = 1, timeout = 0;
        int weight = 0, rise = 1, fall = 1;
        foreach (KeepalivedNode c in node.Children ?? [])
        {
            switch (c.Name)
            {
                case "script":
                    script = c.Arguments.Count > 0 ? string.Join(' ', c.Arguments.Select(a => a.Text)) : null;
                    break;
                case "interval":
                    interval = Seconds(c, 0.001, 86400) ?? interval;
                    break;
                case "timeout":
                    timeout = Seconds(c, 0.001, 86400) ?? timeout;
                    break;
                case "weight":
                    weight = Int(c, -253, 253) ?? weight;
                    if (c.Argument(1) is { Text: "reverse" } r)
                    {
                        _diagnostics.Error(r.Location, "weight ... reverse is not supported");
                    }

                    break;
                case "rise":
                    rise = Int(c, 1, 1000) ?? rise;
                    break;
                case "fall":
                    fall = Int(c, 1, 1000) ?? fall;
                    break;
                default:
                    _diagnostics.Warn(c.Location, $"vrrp_script keyword '{c.Name}' is not supported; ignored");
                    break;
            }
        }

        if (script is null)
        {
            _diagnostics.Error(node.Location, $"vrrp_script '{name}' has no script");
            return;
        }

        // keepalived: a script's timeout defaults to its interval.
        _vrrpScripts.Add(new VrrpScriptConfig(name, script, TimeSpan.FromSeconds(interval), TimeSpan.FromSeconds(timeout > 0 ? timeout : interval), weight, rise, fall));
    }

    private void VrrpSyncGroup(KeepalivedNode node)
    {
        if (BlockName(node) is not { } name)
        {
            return;
        }

        var members = new List<string>();
        VrrpNotify notify = VrrpNotify.None;
        foreach (KeepalivedNode c in node.Children ?? [])
        {
            switch (c.Name)
            {
                case "group":
                    foreach (KeepalivedNode m in c.Children ?? [])
                    {
                        if (_vrrpInstances.All(i => i.Name != m.Name))
                        {
                            _diagnostics.Error(m.Location, $"vrrp_sync_group '{name}': no vrrp_instance named '{m.Name}'");
                        }
                        else if (_vrrpGroups.Any(g => g.Members.Contains(m.Name)) || members.Contains(m.Name))
                        {
                            _diagnostics.Error(m.Location, $"vrrp_instance '{m.Name}' is already in a sync group");
                        }
                        else
                        {
                            members.Add(m.Name);
                        }
                    }

                    break;
                case "notify_master" or "notify_backup" or "notify_fault" or "notify_stop" or "notify":
                    notify = Notify(notify, c);
                    break;
                default:
                    _diagnostics.Warn(c.Location, $"vrrp_sync_group keyword '{c.Name}' is not supported; ignored");
                    break;
            }
        }

        _vrrpGroups.Add(new VrrpSyncGroupConfig(name, members, notify));
    }

    private VrrpNotify Notify(VrrpNotify notify, KeepalivedNode c)
    {
        string? command = c.Arguments.Count > 0 ? string.Join(' ', c.Arguments.Select(a => a.Quoted ? a.Text : a.Text)) : null;
        if (command is null)
        {
            _diagnostics.Error(c.Location, $"{c.Name} needs a command");
            return notify;
        }

        return c.Name switch
        {
            "notify_master" => notify with { Master = command },
            "notify_backup" => notify with { Backup = command },
            "notify_fault" => notify with { Fault = command },
            "notify_stop" => notify with { Stop = command },
            _ => notify with { Any = command },
        };
    }

    private int? Int(KeepalivedNode c, long min, long max, int index = 0)
    {
        if (c.Argument(index) is { } t && ConfigValues.TryParseInt(t.Text, min, max, out int v))
        {
            return v;
        }

        _diagnostics.Error(c.Argument(index)?.Location ?? c.Location, $"{c.Name} needs a whole number from {min} to {max}");
        return null;
    }

    /// <summary>A decimal number of seconds (fractions allowed, as keepalived's advert_int).</summary>
    private double? Seconds(KeepalivedNode c, double min, double max)
    {
        if (c.Argument(0) is { } t && t.Text.All(ch => char.IsAsciiDigit(ch) || ch == '.')
            && double.TryParse(t.Text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double v) && v >= min && v <= max)
        {
            return v;
        }

        _diagnostics.Error(c.Argument(0)?.Location ?? c.Location, $"{c.Name} needs a number of seconds from {min} to {max}");
        return null;
    }

    private IPAddress? Address(KeepalivedToken t, string what)
    {
        if (IPAddress.TryParse(t.Text, out IPAddress? a) && (t.Text.Contains(':') || ConfigValues.TryParseIpv4(t.Text, out _)))
        {
            return a;
        }

        _diagnostics.Error(t.Location, $"{what} '{t.Text}' is not an IP address");
        return null;
    }
}
