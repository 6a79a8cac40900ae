using Lvs.Core.Scheduling;

namespace Lvs.Core.Services;

/// <summary>
/// What -A/-E set on a virtual service besides its key. Immutable: an edit publishes a new
/// instance, so a worker reads one consistent set per packet.
/// </summary>
/// <param name="Scheduler">The ipvsadm scheduler name.</param>
/// <param name="Flags">ipvsadm -b.</param>
/// <param name="Persistent">ipvsadm -p: a client keeps its real server across connections.</param>
/// <param name="PersistenceTimeoutMs">How long a persistence template outlives its last connection.</param>
/// <param name="PersistenceMask">ipvsadm -M: IPv4 clients are grouped by address AND mask (host order); for an
/// IPv6 service it holds the prefix length (1..128; anything above 128 means 128), as ip_vs's svc->netmask does.</param>
/// <param name="OnePacket">ipvsadm -o: every UDP datagram is scheduled on its own.</param>
public sealed record ServiceSettings(
    string Scheduler,
    SchedulerFlags Flags = SchedulerFlags.None,
    bool Persistent = false,
    int PersistenceTimeoutMs = ServiceSettings.DefaultPersistenceTimeoutMs,
    uint PersistenceMask = 0xFFFF_FFFF,
    bool OnePacket = false)
{
    /// <summary>ipvsadm's default persistence timeout: 300 s.</summary>
    public const int DefaultPersistenceTimeoutMs = 300_000;
}
