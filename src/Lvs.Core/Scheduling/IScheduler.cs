using Lvs.Core.Services;

namespace Lvs.Core.Scheduling;

/// <summary>What a scheduler may look at when it picks a real server for a new connection.</summary>
/// <param name="Now">The director's clock in milliseconds (for schedulers that keep expiring state: lblc, lblcr).</param>
public readonly record struct ScheduleContext(IpProtocol Protocol, InetAddress ClientAddress, ushort ClientPort, InetAddress VirtualAddress, ushort VirtualPort, long Now = 0);

/// <summary>
/// The service's scheduler flags (ipvsadm -b): IP_VS_SVC_F_SCHED1..3, named by the scheduler
/// that uses them (sh-fallback / mh-fallback, sh-port / mh-port).
/// </summary>
[Flags]
public enum SchedulerFlags
{
    None = 0,

    /// <summary>sched-flag-1: sh-fallback, mh-fallback — pick another server when the hashed one is unavailable.</summary>
    Fallback = 1,

    /// <summary>sched-flag-2: sh-port, mh-port — hash the source port as well as the address.</summary>
    Port = 2,

    /// <summary>sched-flag-3: unused by the kernel's schedulers.</summary>
    Flag3 = 4,
}

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
