using Lvs.Contracts;
using Lvs.Core.Connections;
using Lvs.Core.Scheduling;
using Lvs.Core.Services;
using CoreKey = Lvs.Core.Services.ServiceKey;

namespace Lvs.Daemon.Control;

/// <summary>Service settings (-A/-E options) and timeouts (--set).</summary>
public sealed partial class ControlHandler
{
    /// <summary>The wire names of the scheduler flags (ipvsadm -b) and their bits.</summary>
    private static readonly Dictionary<string, SchedulerFlags> FlagNames = new(StringComparer.Ordinal)
    {
        ["sh-fallback"] = SchedulerFlags.Fallback,
        ["mh-fallback"] = SchedulerFlags.Fallback,
        ["flag-1"] = SchedulerFlags.Fallback,
        ["sh-port"] = SchedulerFlags.Port,
        ["mh-port"] = SchedulerFlags.Port,
        ["flag-2"] = SchedulerFlags.Port,
        ["flag-3"] = SchedulerFlags.Flag3,
    };

    private ControlResponse WithSettings(CoreKey key, ServiceOptions options, Func<ServiceSettings, TableResult> apply)
    {
        if (!TryParseSettings(key, options, out ServiceSettings? settings, out string? error))
        {
            return ControlResponse.Fail(ControlError.Invalid, error!);
        }

        return Map(apply(settings!), key, options.Scheduler);
    }

    private static bool TryParseSettings(CoreKey key, ServiceOptions o, out ServiceSettings? settings, out string? error)
    {
        settings = null;
        error = null;
        SchedulerFlags flags = SchedulerFlags.None;
        foreach (string name in o.SchedulerFlags ?? [])
        {
            if (!FlagNames.TryGetValue(name, out SchedulerFlags bit))
            {
                error = $"unknown scheduler flag '{name}'";
                return false;
            }

            flags |= bit;
        }

        if (key.Port == 0 && !key.IsFwmark && !o.Persistent)
        {
            error = "a port-0 service (all ports) needs persistence (-p)";
            return false;
        }

        if (o.PersistenceTimeout < 0 || o.PersistenceTimeout > int.MaxValue / 1000)
        {
            error = $"persistence timeout {o.PersistenceTimeout} out of range";
            return false;
        }

        // ipvsadm sends -M even without -p; like ip_vs, only a persistent service uses it.
        // For an IPv6 service the mask is a prefix length 1..128 (ipvsadm -M 64), as ip_vs stores it.
        uint mask = key.IsV6 ? 128u : 0xFFFF_FFFF;
        if (o.Persistent && o.PersistenceNetmask is { } text)
        {
            bool ok = key.IsV6
                ? uint.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out mask) && mask is >= 1 and <= 128
                : Ipv4.TryParse(text, out mask) && IsContiguousMask(mask);
            if (!ok)
            {
                error = key.IsV6 ? $"'{text}' is not an IPv6 prefix length (1..128)" : $"'{text}' is not a netmask";
                return false;
            }
        }

        if (o.OnePacket && key.Protocol != IpProtocol.Udp)
        {
            error = "one-packet scheduling (-o) is for UDP services";
            return false;
        }

        int timeoutMs = o.PersistenceTimeout > 0 ? o.PersistenceTimeout * 1000 : ServiceSettings.DefaultPersistenceTimeoutMs;
        settings = new ServiceSettings(o.Scheduler, flags, o.Persistent, timeoutMs, mask, o.OnePacket);
        return true;
    }

    private static bool IsContiguousMask(uint mask) => (~mask & (~mask + 1)) == 0;

    private ControlResponse SetTimeouts(TimeoutSettings? t)
    {
        if (t is null || t.Tcp < 0 || t.TcpFin < 0 || t.Udp < 0 || Math.Max(t.Tcp, Math.Max(t.TcpFin, t.Udp)) > int.MaxValue / 1000)
        {
            return ControlResponse.Fail(ControlError.Invalid, "timeouts must be 0 (unchanged) or a number of seconds");
        }

        // ipvsadm --set tcp tcpfin udp: ESTABLISHED, FIN_WAIT and UDP; 0 keeps the current value.
        if (t.Tcp > 0)
        {
            _timeouts.SetTcp(TcpState.Established, t.Tcp * 1000);
        }

        if (t.TcpFin > 0)
        {
            _timeouts.SetTcp(TcpState.FinWait, t.TcpFin * 1000);
        }

        if (t.Udp > 0)
        {
            _timeouts.Udp = t.Udp * 1000;
        }

        return ControlResponse.Success();
    }

    private TimeoutSettings CurrentTimeouts() =>
        new(_timeouts.Tcp(TcpState.Established) / 1000, _timeouts.Tcp(TcpState.FinWait) / 1000, _timeouts.Udp / 1000);

    private static IReadOnlyList<string>? FlagList(ServiceSettings s)
    {
        if (s.Flags == SchedulerFlags.None)
        {
            return null;
        }

        string prefix = s.Scheduler is "sh" or "mh" ? s.Scheduler + "-" : "";
        var names = new List<string>();
        if ((s.Flags & SchedulerFlags.Fallback) != 0)
        {
            names.Add(prefix.Length > 0 ? prefix + "fallback" : "flag-1");
        }

        if ((s.Flags & SchedulerFlags.Port) != 0)
        {
            names.Add(prefix.Length > 0 ? prefix + "port" : "flag-2");
        }

        if ((s.Flags & SchedulerFlags.Flag3) != 0)
        {
            names.Add("flag-3");
        }

        return names;
    }
}
