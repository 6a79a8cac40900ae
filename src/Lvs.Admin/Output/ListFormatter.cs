using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Lvs.Admin.CommandLine;
using Lvs.Contracts;

namespace Lvs.Admin.Output;

/// <summary>How -L prints: ipvsadm's FMT_NUMERIC, FMT_STATS, FMT_EXACT, FMT_NOSORT, FMT_TUN_INFO, FMT_THRESHOLDS, FMT_PERSISTENTCONN and FMT_RATE.</summary>
internal sealed record ListFormat(
    bool Numeric, bool Stats, bool Exact, bool NoSort, bool TunInfo = false, bool Thresholds = false, bool PersistentConn = false, bool Rate = false);

/// <summary>
/// ipvsadm 1.31's list_all / list_service / print_title / print_service_entry, byte for byte,
/// trailing blanks included (the last column is printed with %-10u). The formats take precedence
/// in ipvsadm's order: --stats, --rate, --thresholds, --persistent-conn, --tun-info.
/// </summary>
internal sealed class ListFormatter(ListFormat format, INameResolver names)
{
    /// <summary>list_all: the version header, the title, every service.</summary>
    public string FormatAll(StatusSnapshot snapshot)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"IP Virtual Server version {snapshot.Version} (size={snapshot.ConnectionTableSize})\n");
        AppendTitle(sb);
        IReadOnlyList<ServiceStatus> services = format.NoSort ? snapshot.Services : IpvsSort.Services(snapshot.Services);
        foreach (ServiceStatus service in services)
        {
            AppendService(sb, service);
        }

        return sb.ToString();
    }

    /// <summary>list_service (-L -t): the title and one service, no version header.</summary>
    public string FormatOne(ServiceStatus service)
    {
        var sb = new StringBuilder();
        AppendTitle(sb);
        AppendService(sb, service);
        return sb.ToString();
    }

    private void AppendTitle(StringBuilder sb)
    {
        if (format.Stats)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"{"Prot LocalAddress:Port",-33} {"Conns",8} {"InPkts",8} {"OutPkts",8} {"InBytes",8} {"OutBytes",8}\n");
            sb.Append("  -> RemoteAddress:Port\n");
        }
        else if (format.Rate)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"{"Prot LocalAddress:Port",-33} {"CPS",8} {"InPPS",8} {"OutPPS",8} {"InBPS",8} {"OutBPS",8}\n");
            sb.Append("  -> RemoteAddress:Port\n");
        }
        else if (format.Thresholds)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"{"Prot LocalAddress:Port",-33} {"Uthreshold",-10} {"Lthreshold",-10} {"ActiveConn",-10} {"InActConn",-10}\n");
            sb.Append("  -> RemoteAddress:Port\n");
        }
        else if (format.PersistentConn)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"{"Prot LocalAddress:Port",-33} {"Weight",-9} {"PersistConn",-11} {"ActiveConn",-10} {"InActConn",-10}\n");
            sb.Append("  -> RemoteAddress:Port\n");
        }
        else if (format.TunInfo)
        {
            sb.Append("Prot LocalAddress:Port Scheduler Flags\n");
            sb.Append("  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n");
        }
        else
        {
            sb.Append("Prot LocalAddress:Port Scheduler Flags\n");
            sb.Append("  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
        }
    }

    private void AppendService(StringBuilder sb, ServiceStatus service)
    {
        // A fwmark service has protocol 0, so its real servers' ports stay numbers; -6 makes it AF_INET6.
        bool fwmark = service.Key.IsFwmark();
        bool serviceIsV6 = fwmark ? service.Key.Ipv6 : IsIPv6(service.Key.Address);
        string? portProtocol = fwmark ? null : service.Key.Protocol;
        string name = fwmark
            ? FwmarkText.ServiceName(service.Key.Fwmark, service.Key.Ipv6)
            : $"{ProtocolName(service.Key.Protocol),-4} {AddressPort(service.Key.Address, service.Key.Port, service.Key.Protocol)}";
        if (!fwmark && !serviceIsV6 && name.Length > 33)
        {
            // ipvsadm cuts IPv4 service names at 33 characters (svc_name[33] = '\0').
            name = name[..33];
        }

        if (format.Stats)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{name,-33}");
            AppendStats(sb, service.Stats);
        }
        else if (format.Rate)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{name,-33}");
            AppendServiceRates(sb, service.Rates ?? NoRates);
        }
        else
        {
            sb.Append(name).Append(' ').Append(service.Scheduler);
            AppendServiceFlags(sb, service, serviceIsV6);
        }

        sb.Append('\n');

        IReadOnlyList<RealServerStatus> servers = format.NoSort ? service.Servers : IpvsSort.Servers(service.Servers);
        foreach (RealServerStatus server in servers)
        {
            string dname = AddressPort(server.Address, server.Port, portProtocol);
            if (!IsIPv6(server.Address) && dname.Length > 28)
            {
                dname = dname[..28];
            }

            if (format.Stats)
            {
                sb.Append(CultureInfo.InvariantCulture, $"  -> {dname,-28}");
                AppendStats(sb, server.Stats);
                sb.Append('\n');
            }
            else if (format.Rate)
            {
                // ipvsadm prints a server's CPS, InPPS and OutPPS with a plain "%8llu" (no K/M/G, --exact
                // or not) and only its byte rates through print_largenum.
                TrafficRates rates = server.Rates ?? NoRates;
                sb.Append(CultureInfo.InvariantCulture, $"  -> {dname,-28} {rates.Cps,8} {rates.InPps,8} {rates.OutPps,8}");
                sb.Append(NumberFormat.LargeNumber(rates.InBps, format.Exact));
                sb.Append(NumberFormat.LargeNumber(rates.OutBps, format.Exact));
                sb.Append('\n');
            }
            else if (format.Thresholds)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"  -> {dname,-28} {(uint)server.UpperThreshold,-10} {(uint)server.LowerThreshold,-10} {(uint)server.ActiveConns,-10} {(uint)server.InactiveConns,-10}\n");
            }
            else if (format.PersistentConn)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"  -> {dname,-28} {(uint)server.Weight,-9} {(uint)server.PersistentConns,-11} {(uint)server.ActiveConns,-10} {(uint)server.InactiveConns,-10}\n");
            }
            else if (format.TunInfo)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"  -> {dname,-28} {MethodName(server.Method),-7} {TunnelInfo(server),-13} {server.Weight,-6} {(uint)server.ActiveConns,-10} {(uint)server.InactiveConns,-10}\n");
            }
            else
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"  -> {dname,-28} {MethodName(server.Method),-7} {server.Weight,-6} {(uint)server.ActiveConns,-10} {(uint)server.InactiveConns,-10}\n");
            }
        }
    }

    /// <summary>
    /// print_service_entry's tail of the service line: " (flags)" when any scheduler flag is set,
    /// " persistent T" with " mask M" unless the mask is the whole address, and " ops".
    /// </summary>
    private static void AppendServiceFlags(StringBuilder sb, ServiceStatus service, bool serviceIsV6)
    {
        int flags = SchedulerFlagNames.Bits(service.SchedulerFlags);
        if (flags != 0)
        {
            sb.Append(" (").Append(SchedulerFlagNames.Format(service.Scheduler, flags)).Append(')');
        }

        if (service.Persistent)
        {
            sb.Append(CultureInfo.InvariantCulture, $" persistent {(uint)service.PersistenceTimeout}");
            if (PersistenceMask(service.PersistenceNetmask, serviceIsV6) is { } mask)
            {
                sb.Append(" mask ").Append(mask);
            }
        }

        if (service.OnePacket)
        {
            sb.Append(" ops");
        }
    }

    /// <summary>The mask ipvsadm prints: a dotted IPv4 mask other than 255.255.255.255, an IPv6 prefix length other than 128.</summary>
    internal static string? PersistenceMask(string? netmask, bool serviceIsV6)
    {
        if (netmask is null)
        {
            return null;
        }

        if (serviceIsV6)
        {
            return int.TryParse(netmask, NumberStyles.None, CultureInfo.InvariantCulture, out int prefix) && prefix != 128
                ? prefix.ToString(CultureInfo.InvariantCulture)
                : null;
        }

        return IPAddress.TryParse(netmask, out IPAddress? mask) && mask.AddressFamily == AddressFamily.InterNetwork
               && !mask.Equals(IPAddress.Broadcast)
            ? mask.ToString()
            : null;
    }

    private void AppendStats(StringBuilder sb, TrafficStats stats)
    {
        sb.Append(NumberFormat.LargeNumber(stats.Conns, format.Exact));
        sb.Append(NumberFormat.LargeNumber(stats.InPackets, format.Exact));
        sb.Append(NumberFormat.LargeNumber(stats.OutPackets, format.Exact));
        sb.Append(NumberFormat.LargeNumber(stats.InBytes, format.Exact));
        sb.Append(NumberFormat.LargeNumber(stats.OutBytes, format.Exact));
    }

    /// <summary>What --rate shows for an entry lvsd sent without rates (no estimate yet).</summary>
    private static readonly TrafficRates NoRates = new(0, 0, 0, 0, 0);

    private void AppendServiceRates(StringBuilder sb, TrafficRates rates)
    {
        sb.Append(NumberFormat.LargeNumber(rates.Cps, format.Exact));
        sb.Append(NumberFormat.LargeNumber(rates.InPps, format.Exact));
        sb.Append(NumberFormat.LargeNumber(rates.OutPps, format.Exact));
        sb.Append(NumberFormat.LargeNumber(rates.InBps, format.Exact));
        sb.Append(NumberFormat.LargeNumber(rates.OutBps, format.Exact));
    }

    private string AddressPort(string address, ushort port, string? protocol) =>
        names.AddressPort(address, port, protocol, format.Numeric);

    internal static bool IsIPv6(string address) =>
        IPAddress.TryParse(address, out IPAddress? ip) && ip.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>protocol_name.</summary>
    public static string ProtocolName(string protocol) => protocol switch
    {
        "tcp" => "TCP",
        "udp" => "UDP",
        "sctp" => "SCTP",
        _ => "?",
    };

    /// <summary>
    /// fwd_tun_info: "ipip", "gue:PORT:FLAGS" or "gre:FLAGS" for a tunnel server, FLAGS being
    /// ipvsadm's tunflags ("-c" no checksum, "+c" checksum, "r+c" remote checksum offload);
    /// "n/a" for every other method and for a tunnel type ipvsadm does not know.
    /// </summary>
    public static string TunnelInfo(RealServerStatus server)
    {
        if (server.Method != "tunnel")
        {
            return "n/a";
        }

        string flags = server.TunnelChecksum switch
        {
            "csum" => "+c",
            "remcsum" => "r+c",
            _ => "-c",
        };
        return (server.TunnelType ?? "ipip") switch
        {
            "ipip" => "ipip",
            "gue" => string.Create(CultureInfo.InvariantCulture, $"gue:{server.TunnelPort}:{flags}"),
            "gre" => "gre:" + flags,
            _ => "n/a",
        };
    }

    /// <summary>fwd_name: the Forward column.</summary>
    public static string MethodName(string method) => method switch
    {
        "masq" => "Masq",
        "route" => "Route",
        "tunnel" => "Tunnel",
        "local" => "Local",
        _ => method,
    };
}
