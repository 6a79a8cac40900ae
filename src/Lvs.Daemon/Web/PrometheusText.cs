using System.Globalization;
using System.Text;
using Lvs.Contracts;

namespace Lvs.Daemon.Web;

/// <summary>
/// Writes a <see cref="WebSnapshot"/> in Prometheus' text exposition format 0.0.4.
/// The <c>node_ipvs_*</c> families copy node_exporter's ipvs collector (collector/ipvs_linux.go):
/// names, help text, types, and the backend labels in its order (local_address, local_port,
/// remote_address, remote_port, proto, local_mark) with its values (proto TCP/UDP/FWM;
/// local_mark the mark as /proc/net/ip_vs prints it, %08X, and "" otherwise; a fwmark service
/// has local_address "" and local_port 0), so dashboards built for it work unchanged.
/// The totals are ip_vs's global statistics, which are the sums over all services.
/// Our own series are <c>lvs_*</c>.
/// </summary>
public static class PrometheusText
{
    /// <summary>The Content-Type of this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly string[] BackendLabels = ["local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark"];

    public static string Write(WebSnapshot s)
    {
        var w = new StringBuilder(4096);
        StatusSnapshot status = s.Status;
        ulong conns = 0, inPkts = 0, outPkts = 0, inBytes = 0, outBytes = 0;
        foreach (ServiceStatus svc in status.Services)
        {
            conns += svc.Stats.Conns;
            inPkts += svc.Stats.InPackets;
            outPkts += svc.Stats.OutPackets;
            inBytes += svc.Stats.InBytes;
            outBytes += svc.Stats.OutBytes;
        }

        Single(w, "node_ipvs_connections_total", "The total number of connections made.", "counter", conns);
        Single(w, "node_ipvs_incoming_packets_total", "The total number of incoming packets.", "counter", inPkts);
        Single(w, "node_ipvs_outgoing_packets_total", "The total number of outgoing packets.", "counter", outPkts);
        Single(w, "node_ipvs_incoming_bytes_total", "The total amount of incoming data.", "counter", inBytes);
        Single(w, "node_ipvs_outgoing_bytes_total", "The total amount of outgoing data.", "counter", outBytes);

        Backend(w, status, "node_ipvs_backend_connections_active", "The current active connections by local and remote address.", "gauge", r => (ulong)r.ActiveConns);
        Backend(w, status, "node_ipvs_backend_connections_inactive", "The current inactive connections by local and remote address.", "gauge", r => (ulong)r.InactiveConns);
        Backend(w, status, "node_ipvs_backend_weight", "The current backend weight by local and remote address.", "gauge", r => (ulong)r.Weight);

        Backend(w, status, "lvs_backend_connections_total", "Connections scheduled to the real server (lvsadm -L --stats Conns).", "counter", r => r.Stats.Conns);
        Backend(w, status, "lvs_backend_incoming_packets_total", "Packets from clients forwarded to the real server.", "counter", r => r.Stats.InPackets);
        Backend(w, status, "lvs_backend_outgoing_packets_total", "Packets from the real server forwarded to clients.", "counter", r => r.Stats.OutPackets);
        Backend(w, status, "lvs_backend_incoming_bytes_total", "Bytes from clients forwarded to the real server.", "counter", r => r.Stats.InBytes);
        Backend(w, status, "lvs_backend_outgoing_bytes_total", "Bytes from the real server forwarded to clients.", "counter", r => r.Stats.OutBytes);

        Header(w, "lvs_drops_total", "Frames the data path dropped, by reason (lvsadm -L --drops).", "counter");
        foreach (DropCount d in s.Drops)
        {
            Sample(w, "lvs_drops_total", ["reason"], [d.Reason], d.Count);
        }

        Single(w, "lvs_connections", "Entries in the connection tables, persistence templates included.", "gauge", (ulong)Math.Max(0, status.Connections));
        Single(w, "lvs_connection_table_size", "Hash buckets of the connection table (ipvsadm's size=).", "gauge", (ulong)Math.Max(0, status.ConnectionTableSize));

        Header(w, "lvs_worker_packets_total", "Frames each worker has processed.", "counter");
        for (int i = 0; i < s.WorkerPackets.Count; i++)
        {
            Sample(w, "lvs_worker_packets_total", ["worker"], [i.ToString(CultureInfo.InvariantCulture)], (ulong)Math.Max(0, s.WorkerPackets[i]));
        }

        if (s.Health is { } health)
        {
            Header(w, "lvs_backend_up", "1 when the real server's health checker finds it alive, 0 when not.", "gauge");
            foreach (ServerHealth h in health)
            {
                string[] values = BackendValues(h.Service, h.Address, h.Port);
                Sample(w, "lvs_backend_up", BackendLabels, values, h.Up ? 1UL : 0UL);
            }
        }

        if (s.Vrrp is { } vrrp)
        {
            Header(w, "lvs_vrrp_state", "1 for the state each VRRP instance is in, 0 for the others.", "gauge");
            foreach (VrrpInstanceStatus v in vrrp)
            {
                foreach (string state in VrrpInstanceStatus.States)
                {
                    Sample(w, "lvs_vrrp_state", ["instance", "vrid", "state"],
                        [v.Instance, v.VirtualRouterId.ToString(CultureInfo.InvariantCulture), state], v.State == state ? 1UL : 0UL);
                }
            }

            Header(w, "lvs_vrrp_priority", "The effective VRRP priority of each instance.", "gauge");
            foreach (VrrpInstanceStatus v in vrrp)
            {
                Sample(w, "lvs_vrrp_priority", ["instance", "vrid"], [v.Instance, v.VirtualRouterId.ToString(CultureInfo.InvariantCulture)], (ulong)Math.Max(0, v.Priority));
            }
        }

        if (s.Sync is { } sync)
        {
            Single(w, "lvs_sync_messages_sent_total", "Connection sync messages sent.", "counter", sync.Sent);
            Single(w, "lvs_sync_messages_received_total", "Connection sync messages received.", "counter", sync.Received);
            Single(w, "lvs_sync_messages_dropped_total", "Connection sync messages dropped.", "counter", sync.Dropped);
        }

        return w.ToString();
    }

    /// <summary>The backend label values, in <see cref="BackendLabels"/>' order, as node_exporter derives them.</summary>
    public static string[] BackendValues(ServiceKey service, string remoteAddress, ushort remotePort)
    {
        bool fwmark = service.Protocol == "fwmark";
        return
        [
            fwmark ? "" : service.Address,
            fwmark ? "0" : service.Port.ToString(CultureInfo.InvariantCulture),
            remoteAddress,
            remotePort.ToString(CultureInfo.InvariantCulture),
            fwmark ? "FWM" : service.Protocol.ToUpperInvariant(),
            fwmark ? service.Fwmark.ToString("X8", CultureInfo.InvariantCulture) : "",
        ];
    }

    /// <summary>Escapes a label value: backslash, double quote and line feed (format 0.0.4).</summary>
    public static string EscapeLabel(string value) =>
        value.AsSpan().IndexOfAny("\\\"\n") < 0 ? value : value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    private static void Backend(StringBuilder w, StatusSnapshot status, string name, string help, string type, Func<RealServerStatus, ulong> value)
    {
        Header(w, name, help, type);
        foreach (ServiceStatus svc in status.Services)
        {
            foreach (RealServerStatus r in svc.Servers)
            {
                Sample(w, name, BackendLabels, BackendValues(svc.Key, r.Address, r.Port), value(r));
            }
        }
    }

    private static void Single(StringBuilder w, string name, string help, string type, ulong value)
    {
        Header(w, name, help, type);
        w.Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    // HELP text escapes only backslash and line feed (format 0.0.4).
    private static void Header(StringBuilder w, string name, string help, string type) =>
        w.Append("# HELP ").Append(name).Append(' ').Append(help.Replace("\\", "\\\\").Replace("\n", "\\n")).Append('\n')
         .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder w, string name, string[] labels, string[] values, ulong value)
    {
        w.Append(name).Append('{');
        for (int i = 0; i < labels.Length; i++)
        {
            if (i > 0)
            {
                w.Append(',');
            }

            w.Append(labels[i]).Append("=\"").Append(EscapeLabel(values[i])).Append('"');
        }

        w.Append("} ").Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }
}
