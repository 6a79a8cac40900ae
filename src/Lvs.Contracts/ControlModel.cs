using System.Text.Json.Serialization;

namespace Lvs.Contracts;

/// <summary>Identifies a virtual service: protocol, virtual address and port (ipvsadm's -t/-u), or a firewall mark (-f).</summary>
/// <param name="Protocol">"tcp", "udp", or "fwmark" (then <see cref="Fwmark"/> names the service and Address/Port are unused).</param>
/// <param name="Address">The virtual IP in its textual form (IPv4 dotted quad, IPv6 without brackets); "" for fwmark.</param>
/// <param name="Port">The virtual port; 0 for fwmark.</param>
public sealed record ServiceKey(string Protocol, string Address, ushort Port)
{
    /// <summary>For Protocol "fwmark": the mark, 1..2^32-1 (ipvsadm -f).</summary>
    public uint Fwmark { get; init; }

    /// <summary>For Protocol "fwmark": the service is IPv6 (ipvsadm -f N -6); it then takes only IPv6 packets.</summary>
    public bool Ipv6 { get; init; }

    /// <summary>A fwmark service's key.</summary>
    public static ServiceKey ForFwmark(uint mark) => new("fwmark", "", 0) { Fwmark = mark };
}

/// <summary>The settings of a virtual service that -A and -E carry.</summary>
/// <param name="Scheduler">The ipvsadm scheduler name (rr, wrr, ...).</param>
public sealed record ServiceOptions(string Scheduler)
{
    /// <summary>Scheduler flags (ipvsadm -b): "sh-fallback", "sh-port", "mh-fallback", "mh-port".</summary>
    public IReadOnlyList<string>? SchedulerFlags { get; init; }

    /// <summary>Persistence (ipvsadm -p): connections from one client stick to one real server.</summary>
    public bool Persistent { get; init; }

    /// <summary>Persistence timeout in seconds (ipvsadm -p [timeout], default 300).</summary>
    public int PersistenceTimeout { get; init; }

    /// <summary>Persistence granularity (ipvsadm -M): a dotted netmask for an IPv4 service, a prefix length ("64") for an IPv6 one; null = all bits.</summary>
    public string? PersistenceNetmask { get; init; }

    /// <summary>One-packet scheduling for UDP (ipvsadm -o/--ops).</summary>
    public bool OnePacket { get; init; }
}

/// <summary>Connection timeouts in seconds (ipvsadm --set tcp tcpfin udp); 0 leaves one unchanged.</summary>
public sealed record TimeoutSettings(int Tcp, int TcpFin, int Udp);

/// <summary>The settings of a real server that -a and -e carry.</summary>
/// <param name="Address">The real server's address.</param>
/// <param name="Port">The real server's port (0 = the service's port; DR and TUN always use the service's port).</param>
/// <param name="Method">"masq", "route" or "tunnel" (ipvsadm -m, -g, -i).</param>
/// <param name="Weight">The weight, 0..65535.</param>
public sealed record RealServerSpec(string Address, ushort Port, string Method, int Weight)
{
    /// <summary>For "tunnel": "ipip" (default), "gue" or "gre" (ipvsadm --tun-type).</summary>
    public string? TunnelType { get; init; }

    /// <summary>For GUE: the destination UDP port (ipvsadm --tun-port).</summary>
    public ushort TunnelPort { get; init; }

    /// <summary>For GUE and GRE: "nocsum" (default), "csum" or "remcsum" (ipvsadm --tun-nocsum/--tun-csum/--tun-remcsum).</summary>
    public string? TunnelChecksum { get; init; }

    /// <summary>Upper connection threshold (ipvsadm -x); 0 = none.</summary>
    public int UpperThreshold { get; init; }

    /// <summary>Lower connection threshold (ipvsadm -y); 0 = none.</summary>
    public int LowerThreshold { get; init; }
}

/// <summary>Commands the control socket understands.</summary>
public static class Commands
{
    public const string AddService = "add-service";
    public const string EditService = "edit-service";
    public const string DeleteService = "delete-service";
    public const string Clear = "clear";
    public const string AddServer = "add-server";
    public const string EditServer = "edit-server";
    public const string DeleteServer = "delete-server";
    public const string List = "list";
    public const string Zero = "zero";
    public const string Drops = "drops";

    /// <summary>ipvsadm --set: <see cref="ControlRequest.Timeouts"/>.</summary>
    public const string SetTimeouts = "set-timeouts";

    /// <summary>ipvsadm -L -c: the connection entries, templates included.</summary>
    public const string Connections = "connections";

    /// <summary>
    /// ipvsadm -R: <see cref="ControlRequest.Batch"/> applied all or nothing; on a refusal
    /// <see cref="ControlResponse.FailedIndex"/> names the request that failed.
    /// </summary>
    public const string Batch = "batch";

    /// <summary>lvsadm --reload (our extension): lvsd re-reads its --config file, as on SIGHUP.</summary>
    public const string Reload = "reload";
}

/// <summary>One request on the control socket: one JSON line in, one JSON line back.</summary>
public sealed record ControlRequest
{
    public required string Command { get; init; }
    public ServiceKey? Service { get; init; }
    public ServiceOptions? Options { get; init; }
    public RealServerSpec? Server { get; init; }

    public TimeoutSettings? Timeouts { get; init; }

    /// <summary>For <see cref="Commands.Batch"/>: the requests, in order.</summary>
    public IReadOnlyList<ControlRequest>? Batch { get; init; }
}

/// <summary>Why the daemon refused a request; lvsadm maps these to ipvsadm's messages.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ControlError>))]
public enum ControlError
{
    None,
    /// <summary>-A of a service that exists (EEXIST).</summary>
    ServiceExists,
    /// <summary>A command naming a service that does not exist (ESRCH).</summary>
    NoSuchService,
    /// <summary>-a of a real server that exists (EEXIST).</summary>
    DestinationExists,
    /// <summary>-e or -d of a real server that does not exist (ENOENT).</summary>
    NoSuchDestination,
    /// <summary>An argument the daemon cannot accept; the message says which.</summary>
    Invalid,
    /// <summary>Something failed inside the daemon; the message says what.</summary>
    Internal,
}

public sealed record ControlResponse
{
    public bool Ok { get; init; }
    public ControlError Error { get; init; }
    public string? Message { get; init; }
    public StatusSnapshot? Status { get; init; }
    public IReadOnlyList<DropCount>? Drops { get; init; }

    public IReadOnlyList<ConnectionEntry>? Connections { get; init; }

    /// <summary>For a refused <see cref="Commands.Batch"/>: the 0-based index of the request that failed.</summary>
    public int? FailedIndex { get; init; }

    public static ControlResponse Success() => new() { Ok = true };

    public static ControlResponse Fail(ControlError error, string message) =>
        new() { Ok = false, Error = error, Message = message };
}

/// <summary>Traffic counters as ip_vs keeps them per service and per real server.</summary>
public sealed record TrafficStats(ulong Conns, ulong InPackets, ulong OutPackets, ulong InBytes, ulong OutBytes);

/// <summary>Rates as ip_vs estimates them (ipvsadm --rate): per second, exponentially weighted over 2 s ticks.</summary>
public sealed record TrafficRates(ulong Cps, ulong InPps, ulong OutPps, ulong InBps, ulong OutBps);

public sealed record RealServerStatus(
    string Address,
    ushort Port,
    string Method,
    int Weight,
    int ActiveConns,
    int InactiveConns,
    TrafficStats Stats)
{
    /// <summary>For tunnel servers: "ipip", "gue" or "gre".</summary>
    public string? TunnelType { get; init; }

    /// <summary>For GUE: the UDP port.</summary>
    public ushort TunnelPort { get; init; }

    /// <summary>For GUE and GRE: "nocsum", "csum" or "remcsum".</summary>
    public string? TunnelChecksum { get; init; }

    public int UpperThreshold { get; init; }

    public int LowerThreshold { get; init; }

    /// <summary>Persistence templates pointing at this server (ipvsadm --persistent-conn).</summary>
    public int PersistentConns { get; init; }

    public TrafficRates? Rates { get; init; }
}

public sealed record ServiceStatus(
    ServiceKey Key,
    string Scheduler,
    TrafficStats Stats,
    IReadOnlyList<RealServerStatus> Servers)
{
    public IReadOnlyList<string>? SchedulerFlags { get; init; }

    public bool Persistent { get; init; }

    /// <summary>Persistence timeout in seconds.</summary>
    public int PersistenceTimeout { get; init; }

    /// <summary>Persistence netmask: dotted for IPv4, a prefix length for IPv6 (ipvsadm prints it when not all bits).</summary>
    public string? PersistenceNetmask { get; init; }

    public bool OnePacket { get; init; }

    public TrafficRates? Rates { get; init; }
}

/// <summary>One entry of the connection table (ipvsadm -L -c), a persistence template or a connection.</summary>
/// <param name="Protocol">"tcp" or "udp" (templates keep their service's protocol; "ip" is reserved for fwmark templates).</param>
/// <param name="ExpiresInSeconds">Seconds until it expires.</param>
/// <param name="State">The IPVS state name (ESTABLISHED, SYN_RECV, ..., UDP, NONE for templates).</param>
public sealed record ConnectionEntry(
    string Protocol,
    int ExpiresInSeconds,
    string State,
    string ClientAddress,
    ushort ClientPort,
    string VirtualAddress,
    ushort VirtualPort,
    string DestAddress,
    ushort DestPort)
{
    public bool Template { get; init; }
}

/// <summary>What -L shows: every service with its real servers, in the order they were added.</summary>
public sealed record StatusSnapshot(string Version, int ConnectionTableSize, int Connections, IReadOnlyList<ServiceStatus> Services)
{
    /// <summary>Current timeouts in seconds (ipvsadm -L --timeout).</summary>
    public TimeoutSettings? Timeouts { get; init; }
}

/// <summary>Frames the data path dropped, by reason.</summary>
public sealed record DropCount(string Reason, ulong Count);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ControlRequest))]
[JsonSerializable(typeof(ControlResponse))]
public sealed partial class ControlJsonContext : JsonSerializerContext;
