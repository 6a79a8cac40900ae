using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>What a scheduler may look at when it picks a real server for a new connection.</summary>
public readonly record struct ScheduleContext(IpProtocol Protocol, uint ClientAddress, ushort ClientPort, uint VirtualAddress, ushort VirtualPort);

/// <summary>
/// A connection scheduler, one per virtual service (ip_vs_scheduler). Calls are serialised by the
/// service's scheduler lock, so implementations keep plain mutable state.
/// </summary>
public interface IScheduler
{
    /// <summary>The ipvsadm name (rr, wrr, ...).</summary>
    string Name { get; }

    /// <summary>Picks a real server among <paramref name="destinations"/>, or null if none can take the connection.</summary>
    RealServer? Schedule(RealServer[] destinations, in ScheduleContext context);

    /// <summary>Called when servers were added, removed or re-weighted (ip_vs's add/del/upd_dest hooks).</summary>
    void OnDestinationsChanged(RealServer[] destinations);
}
