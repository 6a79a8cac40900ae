using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Lvs.Admin.CommandLine;

namespace Lvs.Admin.Output;

/// <summary>Names for addresses and ports when listing without -n (ipvsadm's addr_to_anyname, port_to_anyname).</summary>
internal interface INameResolver
{
    /// <summary>The host name of an address, or null to print it numerically.</summary>
    string? HostName(IPAddress address);

    /// <summary>The service name of a port for a protocol ("tcp"), or null to print the number.</summary>
    string? ServiceName(ushort port, string protocol);
}

/// <summary>Reverse lookups through the system resolver (as gethostbyaddr) and /etc/services.</summary>
internal sealed class SystemNameResolver(ServicesDatabase services) : INameResolver
{
    private readonly Dictionary<IPAddress, string?> _hosts = [];

    public string? HostName(IPAddress address)
    {
        if (_hosts.TryGetValue(address, out string? cached))
        {
            return cached;
        }

        string? name;
        try
        {
            name = Dns.GetHostEntry(address).HostName;
            if (string.IsNullOrEmpty(name) || name == address.ToString())
            {
                name = null;
            }
        }
        catch (SocketException)
        {
            name = null;
        }
        catch (ArgumentException)
        {
            name = null;
        }

        _hosts[address] = name;
        return name;
    }

    public string? ServiceName(ushort port, string protocol) => services.NameOf(port, protocol);
}

/// <summary>ipvsadm's addrport_to_anyname on top of an <see cref="INameResolver"/>.</summary>
internal static class NameResolverExtensions
{
    /// <summary>
    /// "a.b.c.d:port" or "[v6]:port"; without <paramref name="numeric"/> the host's name and the
    /// port's service name for <paramref name="protocol"/> where they exist (null protocol: the
    /// port stays a number, as port_to_anyname for IPPROTO_IP).
    /// </summary>
    public static string AddressPort(this INameResolver names, string address, ushort port, string? protocol, bool numeric)
    {
        IPAddress.TryParse(address, out IPAddress? ip);
        bool v6 = ip?.AddressFamily == AddressFamily.InterNetworkV6;
        string host = address;
        string portText = port.ToString(CultureInfo.InvariantCulture);
        if (!numeric)
        {
            if (ip is not null && names.HostName(ip) is { } hostName)
            {
                host = hostName;
            }

            if (protocol is not null)
            {
                portText = names.ServiceName(port, protocol) ?? portText;
            }
        }

        return v6 ? $"[{host}]:{portText}" : $"{host}:{portText}";
    }
}
