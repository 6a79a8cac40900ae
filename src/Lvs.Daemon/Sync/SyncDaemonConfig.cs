using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Lvs.Contracts;
using Lvs.Core.Sync;

namespace Lvs.Daemon.Sync;

/// <summary>The role connection sync plays on this director; VRRP sets it on state changes.</summary>
public enum SyncRole
{
    /// <summary>Neither sends nor receives.</summary>
    None,

    /// <summary>Sends this director's connections (ip_vs's IP_VS_STATE_MASTER).</summary>
    Master,

    /// <summary>Receives and installs a master's connections (IP_VS_STATE_BACKUP).</summary>
    Backup,
}

/// <summary>One sync daemon's settings, defaults resolved (ipvsadm's daemon options).</summary>
/// <param name="MaxLength">0 = from the interface's MTU, as ip_vs.</param>
/// <param name="Group">The multicast group, or a unicast peer's address (lvsd extension).</param>
public sealed record SyncDaemonConfig(string Interface, byte SyncId, int MaxLength, IPAddress Group, int Port, int Ttl)
{
    public bool IsMulticast => Group.AddressFamily == AddressFamily.InterNetwork
        ? (Group.GetAddressBytes()[0] & 0xF0) == 0xE0
        : Group.IsIPv6Multicast;

    /// <summary>Checks a control request's spec; returns null with a message when it is not usable.</summary>
    public static SyncDaemonConfig? FromSpec(SyncDaemonSpec spec, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(spec.Interface))
        {
            error = "a sync daemon needs --mcast-interface";
            return null;
        }

        if (spec.SyncId is < 0 or > 255)
        {
            error = $"syncid {spec.SyncId} is not in 0..255";
            return null;
        }

        if (spec.MaxLength != 0 && spec.MaxLength is < SyncWire.HeaderLength + SyncWire.V4EntryLength or > 65507)
        {
            error = $"sync-maxlen {spec.MaxLength} is not in {SyncWire.HeaderLength + SyncWire.V4EntryLength}..65507";
            return null;
        }

        if (spec.Port is < 0 or > 65535 || spec.Ttl is < 0 or > 255)
        {
            error = spec.Port is < 0 or > 65535 ? $"mcast-port {spec.Port} is not in 1..65535" : $"mcast-ttl {spec.Ttl} is not in 1..255";
            return null;
        }

        IPAddress group = IPAddress.Parse(SyncWire.DefaultGroup);
        if (spec.Group is { } g && (!IPAddress.TryParse(g, out group!) || group.AddressFamily != AddressFamily.InterNetwork))
        {
            error = $"mcast-group '{g}' is not an IPv4 address";
            return null;
        }

        return new SyncDaemonConfig(spec.Interface, (byte)spec.SyncId, spec.MaxLength, group,
            spec.Port == 0 ? SyncWire.DefaultPort : spec.Port, spec.Ttl == 0 ? 1 : spec.Ttl);
    }

    /// <summary>
    /// keepalived's global_defs <c>lvs_sync_daemon &lt;IF&gt; &lt;VRRP instance&gt; [id N] [maxlen N] [port N] [ttl N] [group ADDR]</c>
    /// (keepalived's syncid default is 0).
    /// </summary>
    public static SyncDaemonConfig? FromKeepalived(IReadOnlyList<string> args, out string? instance, out string? error)
    {
        instance = null;
        error = null;
        if (args.Count < 1)
        {
            error = "lvs_sync_daemon needs an interface";
            return null;
        }

        var spec = new SyncDaemonSpec("backup") { Interface = args[0] };
        int i = 1;
        if (args.Count > 1 && args[1] is not ("id" or "maxlen" or "port" or "ttl" or "group"))
        {
            instance = args[1];
            i = 2;
        }

        for (; i < args.Count; i += 2)
        {
            if (i + 1 >= args.Count)
            {
                error = $"lvs_sync_daemon: '{args[i]}' needs a value";
                return null;
            }

            string v = args[i + 1];
            bool number = int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n);
            switch (args[i])
            {
                case "id" when number:
                    spec = spec with { SyncId = n };
                    break;
                case "maxlen" when number:
                    spec = spec with { MaxLength = n };
                    break;
                case "port" when number && n > 0:
                    spec = spec with { Port = n };
                    break;
                case "ttl" when number && n > 0:
                    spec = spec with { Ttl = n };
                    break;
                case "group":
                    spec = spec with { Group = v };
                    break;
                default:
                    error = $"lvs_sync_daemon: bad '{args[i]} {v}'";
                    return null;
            }
        }

        return FromSpec(spec, out error);
    }

    /// <summary>The interface's index and MTU, or null when it does not exist in this namespace.</summary>
    public static (int Index, int Mtu)? InterfaceInfo(string name)
    {
        foreach (NetworkInterface ni in NetworkInterface.GetAllNetworkInterfaces())
        {
            if (ni.Name == name && ni.GetIPProperties().GetIPv4Properties() is { } p)
            {
                return (p.Index, p.Mtu);
            }
        }

        return null;
    }

    public SyncDaemonStatus Status(string state, int mtu) => new(state, Interface, SyncId, EffectiveMaxLength(state, mtu),
        Group.ToString(), Port, Ttl);

    /// <summary>ip_vs's sync_maxlen: given, else MTU less headers; a backup accepts at least a 1500-byte link's worth.</summary>
    public int EffectiveMaxLength(string state, int mtu)
    {
        int given = MaxLength != 0 ? MaxLength : SyncWire.DefaultMaxLength(mtu);
        return state == "backup" ? Math.Max(given, SyncWire.BackupMaxLength(mtu)) : given;
    }
}
