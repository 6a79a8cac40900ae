using System.Globalization;
using System.Text;
using Lvs.Admin.CommandLine;
using Lvs.Contracts;

namespace Lvs.Admin.Output;

/// <summary>
/// ipvsadm 1.31's -S: list_all with FMT_RULE, i.e. print_service_entry's rule branch and
/// print_tunnel_rule. No header and no title; services and servers in -L's sorted order
/// (save takes no --nosort); names unless -n; nothing cut short. What it prints, -R reads back.
/// </summary>
/// <remarks>
/// Three departures, all where ipvsadm's own output would not restore what it saved:
/// a fwmark of 2^31 or more is printed unsigned (ipvsadm's "%d" makes it negative, which its
/// parse_fwmark refuses); a real server's thresholds follow as " -x U" / " -y L" when not 0
/// (ipvsadm 1.31 drops them); and flag-3 of an sh or mh service is saved (ipvsadm's
/// print_sched_flags skips it there). Everything else is byte for byte what ipvsadm prints.
/// </remarks>
internal sealed class SaveFormatter(bool numeric, INameResolver names)
{
    public string Format(StatusSnapshot snapshot)
    {
        var sb = new StringBuilder();
        foreach (ServiceStatus service in IpvsSort.Services(snapshot.Services))
        {
            AppendService(sb, service);
        }

        return sb.ToString();
    }

    private void AppendService(StringBuilder sb, ServiceStatus service)
    {
        bool fwmark = service.Key.IsFwmark();
        bool serviceIsV6 = fwmark ? service.Key.Ipv6 : ListFormatter.IsIPv6(service.Key.Address);

        // A fwmark service reaches libipvs with protocol 0: its servers' ports stay numbers.
        string? portProtocol = fwmark ? null : service.Key.Protocol;
        string svcName = fwmark
            ? string.Create(CultureInfo.InvariantCulture, $"-f {service.Key.Fwmark}{(service.Key.Ipv6 ? " -6" : "")}")
            : $"{ProtocolOption(service.Key.Protocol)} {names.AddressPort(service.Key.Address, service.Key.Port, service.Key.Protocol, numeric)}";

        sb.Append("-A ").Append(svcName).Append(" -s ").Append(service.Scheduler);
        if (service.Persistent)
        {
            sb.Append(CultureInfo.InvariantCulture, $" -p {(uint)service.PersistenceTimeout}");
            if (ListFormatter.PersistenceMask(service.PersistenceNetmask, serviceIsV6) is { } mask)
            {
                sb.Append(" -M ").Append(mask);
            }
        }

        if (service.OnePacket)
        {
            sb.Append(" -o");
        }

        int flags = SchedulerFlagNames.Bits(service.SchedulerFlags);
        if (flags != 0)
        {
            sb.Append(" -b ").Append(SchedulerFlagNames.Format(service.Scheduler, flags));
            if (service.Scheduler is "sh" or "mh" && (flags & SchedulerFlagNames.Flag3) != 0)
            {
                // print_sched_flags shows no third flag for sh and mh, so ipvsadm would save a bare "-b".
                sb.Append((flags & ~SchedulerFlagNames.Flag3) != 0 ? ",flag-3" : "flag-3");
            }
        }

        sb.Append('\n');

        foreach (RealServerStatus server in IpvsSort.Servers(service.Servers))
        {
            string dname = names.AddressPort(server.Address, server.Port, portProtocol, numeric);
            sb.Append(CultureInfo.InvariantCulture, $"-a {svcName} -r {dname} {MethodSwitch(server.Method)} -w {server.Weight}");
            if (server.Method == "tunnel")
            {
                AppendTunnel(sb, server);
            }

            if (server.UpperThreshold != 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $" -x {(uint)server.UpperThreshold}");
            }

            if (server.LowerThreshold != 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $" -y {(uint)server.LowerThreshold}");
            }

            sb.Append('\n');
        }
    }

    /// <summary>print_tunnel_rule's tail: the type, GUE's port, and for GUE and GRE the checksum option.</summary>
    private static void AppendTunnel(StringBuilder sb, RealServerStatus server)
    {
        string checksum = server.TunnelChecksum switch
        {
            "csum" => "--tun-csum",
            "remcsum" => "--tun-remcsum",
            _ => "--tun-nocsum",
        };
        switch (server.TunnelType ?? CommandParser.DefaultTunnelType)
        {
            case "ipip":
                sb.Append(" --tun-type ipip");
                break;
            case "gue":
                sb.Append(CultureInfo.InvariantCulture, $" --tun-type gue --tun-port {server.TunnelPort} {checksum}");
                break;
            case "gre":
                sb.Append(" --tun-type gre ").Append(checksum);
                break;
        }
    }

    /// <summary>option_from_protocol; ipvsadm's fallback for a protocol it has no option for.</summary>
    private static string ProtocolOption(string protocol) => protocol switch
    {
        "tcp" => "-t",
        "udp" => "-u",
        "sctp" => "--sctp-service",
        _ => "--xxx-service",
    };

    /// <summary>fwd_switch: a local node is saved as -g, as ipvsadm does.</summary>
    private static string MethodSwitch(string method) => method switch
    {
        "masq" => "-m",
        "tunnel" => "-i",
        _ => "-g",
    };
}
