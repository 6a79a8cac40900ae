using Lvs.Core.Services;

namespace Lvs.Daemon.Config;

/// <summary>Port names of /etc/services, as ipvsadm -S prints them without -n (getservbyname).</summary>
internal static class ServiceNames
{
    private static readonly Lazy<Dictionary<(string Name, string Protocol), ushort>> Table = new(Read);

    public static bool TryLookup(string name, IpProtocol protocol, out ushort port) =>
        Table.Value.TryGetValue((name, protocol == IpProtocol.Udp ? "udp" : "tcp"), out port);

    private static Dictionary<(string, string), ushort> Read()
    {
        var table = new Dictionary<(string, string), ushort>();
        string[] lines;
        try
        {
            lines = File.ReadAllLines("/etc/services");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return table;
        }

        foreach (string raw in lines)
        {
            int hash = raw.IndexOf('#');
            string[] f = (hash < 0 ? raw : raw[..hash]).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 2 || f[1].Split('/') is not [string num, string proto] || !ConfigValues.TryParsePort(num, out ushort port))
            {
                continue;
            }

            foreach (string name in f.Where((_, i) => i != 1))
            {
                table.TryAdd((name, proto), port);
            }
        }

        return table;
    }
}
