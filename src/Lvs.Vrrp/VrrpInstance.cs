using System.Net;
using Lvs.Vrrp.Packets;

namespace Lvs.Vrrp;

/// <summary>
/// One running vrrp_instance: its configuration, role, effective priority, the master it last
/// heard, counters, and <see cref="RoleChanged"/>. Driven by <see cref="VrrpService"/>'s thread
/// only; the public members are safe to read from any thread.
/// </summary>
public sealed class VrrpInstance
{
    private volatile VrrpRole _role = VrrpRole.Initialize;
    private volatile int _priority;
    private volatile IPAddress? _masterAddress;

    internal VrrpInstance(VrrpInstanceConfig config, ReadOnlySpan<byte> localAddress)
    {
        Config = config;
        AddressBytes = config.AddressBytes();
        AuthPass = config.AuthPass is null ? [] : System.Text.Encoding.ASCII.GetBytes(config.AuthPass);
        Machine = new VrrpStateMachine(config.Version, config.IntervalCentiseconds, config.Priority, config.StartAsMaster, config.Preempt, config.PreemptDelay, localAddress);
        _priority = config.Priority;
        Machine.PreemptHeld = config.HoldPreemption;
    }

    /// <summary>True while preemption is held (<see cref="VrrpInstanceConfig.HoldPreemption"/>).</summary>
    public bool PreemptionHeld => Machine.PreemptHeld;

    /// <summary>Lets the instance preempt from now on (safe from any thread; the next advert sees it).</summary>
    public void ReleasePreemption() => Machine.PreemptHeld = false;

    /// <summary>
    /// Raised on the VRRP thread after each change of role, once the addresses have been added
    /// (to Master) or removed (from Master). Handlers must return quickly: the next advert waits.
    /// </summary>
    public event EventHandler<VrrpTransition>? RoleChanged;

    public VrrpInstanceConfig Config { get; }

    public string Name => Config.Name;

    public VrrpRole Role => _role;

    /// <summary>The priority in effect, after tracking weights.</summary>
    public int Priority => _priority;

    /// <summary>The current master's address: ours when Master, the last accepted advert's source when Backup, else null.</summary>
    public IPAddress? MasterAddress => _masterAddress;

    public VrrpCounters Counters { get; } = new();

    internal VrrpStateMachine Machine { get; }

    internal byte[] AddressBytes { get; }

    internal byte[] AuthPass { get; }

    /// <summary>The sync group this instance belongs to, if any.</summary>
    internal VrrpSyncGroupConfig? Group { get; set; }

    internal TimeSpan? GarpBurstDue { get; set; }

    internal int GarpBurstsLeft { get; set; }

    internal VrrpDropReason Check(in VrrpAdvert advert) =>
        VrrpValidation.Check(advert, Config.Version, AddressBytes, Config.IntervalCentiseconds, AuthPass);

    internal void SetMaster(IPAddress? address) => _masterAddress = address;

    internal void Publish(object sender, VrrpTransition transition)
    {
        _role = transition.New;
        RoleChanged?.Invoke(sender, transition);
    }

    internal void SyncPriority() => _priority = Machine.Priority;
}
