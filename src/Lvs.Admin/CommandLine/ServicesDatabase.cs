namespace Lvs.Admin.CommandLine;

/// <summary>
/// Port names from /etc/services, as getservbyname/getservbyport see them (first entry wins,
/// aliases count for lookups by name). .NET has no API for this database.
/// </summary>
internal sealed class ServicesDatabase
{
    private readonly Dictionary<(string Name, string Protocol), ushort> _byName = [];
    private readonly Dictionary<(ushort Port, string Protocol), string> _byPort = [];

    public static ServicesDatabase Empty { get; } = new([]);

    private static ServicesDatabase? s_system;

    /// <summary>The system's /etc/services, read on first use; empty if it cannot be read.</summary>
    public static ServicesDatabase System => s_system ??= Load("/etc/services");

    public ServicesDatabase(IEnumerable<string> lines)
    {
        foreach (string raw in lines)
        {
            int hash = raw.IndexOf('#');
            string line = hash >= 0 ? raw[..hash] : raw;
            string[] fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2)
            {
                continue;
            }

            int slash = fields[1].IndexOf('/');
            if (slash <= 0 || !ushort.TryParse(fields[1].AsSpan(0, slash), out ushort port))
            {
                continue;
            }

            string protocol = fields[1][(slash + 1)..];
            _byPort.TryAdd((port, protocol), fields[0]);
            for (int i = 0; i < fields.Length; i++)
            {
                if (i != 1)
                {
                    _byName.TryAdd((fields[i], protocol), port);
                }
            }
        }
    }

    public static ServicesDatabase Load(string path)
    {
        try
        {
            return new ServicesDatabase(File.ReadLines(path));
        }
        catch (IOException)
        {
            return Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return Empty;
        }
    }

    /// <summary>getservbyname: the port of a service name for "tcp"/"udp"/"sctp", or -1.</summary>
    public int PortOf(string name, string? protocol) =>
        protocol is not null && _byName.TryGetValue((name, protocol), out ushort port) ? port : -1;

    /// <summary>getservbyport: the name of a port, or null.</summary>
    public string? NameOf(ushort port, string protocol) =>
        _byPort.TryGetValue((port, protocol), out string? name) ? name : null;
}
