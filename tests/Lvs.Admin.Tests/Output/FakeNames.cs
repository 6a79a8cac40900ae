using System.Net;
using Lvs.Admin.Output;

namespace Lvs.Admin.Tests.Output;

/// <summary>Names for a few addresses and ports; everything else stays numeric.</summary>
internal sealed class FakeNames : INameResolver
{
    public int Lookups { get; private set; }

    public string? HostName(IPAddress address)
    {
        Lookups++;
        return address.ToString() switch
        {
            "192.0.2.10" => "vip.example",
            "10.0.0.11" => "a-rather-long-real-server-name.example",
            _ => null,
        };
    }

    public string? ServiceName(ushort port, string protocol)
    {
        Lookups++;
        return port == 80 && protocol == "tcp" ? "http" : null;
    }
}
