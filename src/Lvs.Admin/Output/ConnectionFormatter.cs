using System.Globalization;
using System.Text;
using Lvs.Contracts;

namespace Lvs.Admin.Output;

/// <summary>
/// ipvsadm 1.31's list_conn / print_conn (-L -c) and list_timeout (-L --timeout), byte for byte.
/// ipvsadm reads /proc/net/ip_vs_conn, where the kernel names the protocol TCP, UDP, SCTP, or IP
/// for a template of protocol 0 (fwmark persistence), and prints the state as the kernel names it
/// (NONE for a TCP template). lvsd hands over the same entries in <see cref="ConnectionEntry"/>.
/// </summary>
internal sealed class ConnectionFormatter(bool numeric, bool persistentConn, INameResolver names)
{
    /// <summary>list_conn: the title, the header, one line per entry in lvsd's order.</summary>
    public string Format(IReadOnlyList<ConnectionEntry> entries)
    {
        var sb = new StringBuilder("IPVS connection entries\n");
        if (persistentConn)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"pro expire {"state",-11} {"source",-18} {"virtual",-18} {"destination",-18} {"pe name",-16} pe_data\n");
        }
        else
        {
            sb.Append(CultureInfo.InvariantCulture, $"pro expire {"state",-11} {"source",-18} {"virtual",-18} destination\n");
        }

        foreach (ConnectionEntry entry in entries)
        {
            AppendEntry(sb, entry);
        }

        return sb.ToString();
    }

    /// <summary>
    /// print_conn: "%-3s %-6s %-11s %-18s %-18s %s". Entries without persistence-engine data
    /// (all of lvsd's) take this short form even under --persistent-conn, as in ipvsadm.
    /// </summary>
    private void AppendEntry(StringBuilder sb, ConnectionEntry entry)
    {
        string protocol = ProcName(entry.Protocol);

        // port_to_anyname only names ports of TCP, UDP and SCTP; a template of protocol IP keeps numbers.
        string? portProtocol = protocol switch
        {
            "TCP" => "tcp",
            "UDP" => "udp",
            "SCTP" => "sctp",
            _ => null,
        };
        string source = names.AddressPort(entry.ClientAddress, entry.ClientPort, portProtocol, numeric);
        string virtualAddress = protocol == "IP"
            ? FwmarkText.TemplateVirtualAddress(entry.VirtualAddress, entry.ClientAddress)
            : entry.VirtualAddress;
        string virtualName = names.AddressPort(virtualAddress, entry.VirtualPort, portProtocol, numeric);
        string destination = names.AddressPort(entry.DestAddress, entry.DestPort, portProtocol, numeric);
        sb.Append(CultureInfo.InvariantCulture,
            $"{protocol,-3} {Expire(entry.ExpiresInSeconds),-6} {entry.State,-11} {source,-18} {virtualName,-18} {destination}\n");
    }

    /// <summary>print_conn's "%02d:%02d" of minutes and seconds; minutes are not capped at 59 hours.</summary>
    public static string Expire(int seconds)
    {
        uint s = (uint)Math.Max(0, seconds);
        return string.Create(CultureInfo.InvariantCulture, $"{s / 60:00}:{s % 60:00}");
    }

    /// <summary>ip_vs_proto_name as /proc/net/ip_vs_conn shows it.</summary>
    public static string ProcName(string protocol) => protocol switch
    {
        "tcp" => "TCP",
        "udp" => "UDP",
        "sctp" => "SCTP",
        "ip" => "IP",
        _ => protocol.ToUpperInvariant(),
    };

    /// <summary>list_timeout: "Timeout (tcp tcpfin udp): 900 120 300".</summary>
    public static string FormatTimeouts(TimeoutSettings timeouts) =>
        string.Create(CultureInfo.InvariantCulture, $"Timeout (tcp tcpfin udp): {timeouts.Tcp} {timeouts.TcpFin} {timeouts.Udp}\n");
}
