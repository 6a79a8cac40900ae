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
