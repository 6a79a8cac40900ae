using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Lvs.Contracts;

namespace Lvs.Admin.Output;

/// <summary>How ipvsadm 1.31 shows firewall-mark services and their persistence templates.</summary>
internal static class FwmarkText
{
    /// <summary><see cref="ServiceKey.Protocol"/> of a fwmark service (<see cref="ServiceKey.ForFwmark"/>).</summary>
    public const string Protocol = "fwmark";

    public static bool IsFwmark(this ServiceKey key) => key.Protocol == Protocol;

    /// <summary>
    /// print_service_entry's sprintf(svc_name, "FWM  %d", se->fwmark), "FWM  %d IPv6" for an AF_INET6
    /// one: the unsigned mark through %d, so a mark above 2^31-1 prints negative, as in ipvsadm.
    /// </summary>
    public static string ServiceName(uint mark, bool ipv6 = false) =>
        string.Create(CultureInfo.InvariantCulture, $"FWM  {unchecked((int)mark)}{(ipv6 ? " IPv6" : "")}");

    /// <summary>
    /// The virtual address print_conn shows for a fwmark template. The kernel keeps the mark as the
    /// template's vaddr (ip_vs_sched_persist: nf_inet_addr .ip = htonl(fwmark), port 0) and
    /// /proc/net/ip_vs_conn prints it as an address: "%08X" for IPv4, which ipvsadm turns back
    /// into a dotted quad (mark 1 is 0.0.0.1), %pI6 for IPv6 (the mark in the first word).
    /// lvsd hands the mark over as decimal text; anything else is shown as it came.
    /// </summary>
    public static string TemplateVirtualAddress(string virtualAddress, string clientAddress)
    {
        if (!uint.TryParse(virtualAddress, NumberStyles.None, CultureInfo.InvariantCulture, out uint mark))
        {
            return virtualAddress;
        }

        // print_conn takes the family of every address of the line from the client's.
        bool v6 = IPAddress.TryParse(clientAddress, out IPAddress? client) && client.AddressFamily == AddressFamily.InterNetworkV6;
        Span<byte> bytes = stackalloc byte[v6 ? 16 : 4];
        bytes.Clear();
        BinaryPrimitives.WriteUInt32BigEndian(bytes, mark);
        return new IPAddress(bytes).ToString();
    }
}
