using Lvs.Vrrp.Packets;

namespace Lvs.Vrrp;

/// <summary>An instance's VRRP state (keepalived's names; Stopped after a clean shutdown).</summary>
public enum VrrpRole
{
    Initialize,
    Backup,
    Master,
    Fault,
    Stopped,
}

/// <summary>A change of role and why.</summary>
public readonly record struct VrrpTransition(VrrpRole Old, VrrpRole New, string Reason);

/// <summary>What one input asks of the caller: send an advert (with this priority) and/or apply a transition.</summary>
public readonly record struct VrrpStep(bool SendAdvert, byte AdvertPriority, VrrpTransition? Transition)
{
    public static VrrpStep None => default;
}

/// <summary>
/// RFC 5798 §6.4 (and RFC 3768 §6.4 for v2) as a pure machine: every input carries the time,
/// nothing reads a clock, and the outputs are returned, so tests drive it with a fake clock.
/// <list type="table">
/// <item><term>Initialize</term><description>priority 255 or state MASTER → Master; else → Backup with Master_Down_Timer.</description></item>
/// <item><term>Backup</term><description>advert priority 0 → Master_Down_Timer = Skew_Time; priority ≥ ours, or preemption off/delayed →
/// learn Master_Adver_Interval, restart Master_Down_Timer; lower priority → ignored, so the timer runs out and we take over;
/// Master_Down_Timer fires → Master.</description></item>
/// <item><term>Master</term><description>Adver_Timer fires → advert; advert priority 0 → advert now; higher priority, or equal priority from a
/// higher address → Backup; lower → answered at once with our advert (keepalived does the same to settle a split).</description></item>
/// </list>
/// Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time, Skew_Time = ((256 − priority) × Master_Adver_Interval) / 256
/// (v2: (256 − priority) / 256 seconds). Not thread-safe: one thread drives an instance.
/// </summary>
public sealed class VrrpStateMachine
{
    private readonly VrrpVersion _version;
    private readonly int _intervalCs;
    private readonly bool _startAsMaster;
    private readonly bool _preempt;
    private readonly TimeSpan _preemptDelay;
    private byte[] _localAddress;
    private int _masterAdverIntervalCs;
    private TimeSpan? _adverDue;
    private TimeSpan? _masterDownDue;
    private TimeSpan? _lowerMasterSeenAt;
    private bool _fault;
    private string _faultReason = "";

    /// <param name="localAddress">This router's primary address on the link (4 or 16 bytes): breaks priority ties.</param>
    public VrrpStateMachine(VrrpVersion version, int intervalCentiseconds, byte priority, bool startAsMaster, bool preempt, TimeSpan preemptDelay, ReadOnlySpan<byte> localAddress)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(intervalCentiseconds, 1);
        ArgumentOutOfRangeException.ThrowIfZero(priority);
        _version = version;
        _intervalCs = intervalCentiseconds;
        _masterAdverIntervalCs = intervalCentiseconds;
        BasePriority = priority;
        Priority = priority;
        _startAsMaster = startAsMaster;
        _preempt = preempt;
        _preemptDelay = preemptDelay;
        _localAddress = localAddress.ToArray();
    }

    public VrrpRole Role { get; private set; } = VrrpRole.Initialize;

    /// <summary>
    /// While set, a backup does not preempt a live lower-priority master (it keeps deferring to its
    /// adverts); a master that stops advertising is still taken over after Master_Down_Interval.
    /// </summary>
    public bool PreemptHeld
    {
        get => Volatile.Read(ref _preemptHeld);
        set => Volatile.Write(ref _preemptHeld, value);
    }

    private bool _preemptHeld;

    /// <summary>The configured priority.</summary>
    public byte BasePriority { get; }

    /// <summary>The priority in effect (tracking weights applied): what adverts carry and elections compare.</summary>
    public byte Priority { get; private set; }

    /// <summary>The master's advertisement interval as learned from its adverts (v3), in centiseconds.</summary>
    public int MasterAdverIntervalCentiseconds => _masterAdverIntervalCs;

    /// <summary>When the next timer is due, or null when none runs (Fault, Stopped).</summary>
    public TimeSpan? NextDeadline => (_adverDue, _masterDownDue) switch
    {
        ({ } a, { } d) => a < d ? a : d,
        ({ } a, null) => a,
        (null, { } d) => d,
        _ => null,
    };

    /// <summary>Skew_Time for the current priority and master interval.</summary>
    public TimeSpan SkewTime => _version == VrrpVersion.V2
        ? TimeSpan.FromMicroseconds((256 - Priority) * 1_000_000L / 256)
        : TimeSpan.FromMicroseconds((256 - Priority) * (long)_masterAdverIntervalCs * 10_000 / 256);

    /// <summary>Master_Down_Interval = 3 × Master_Adver_Interval + Skew_Time.</summary>
    public TimeSpan MasterDownInterval => TimeSpan.FromMicroseconds(3L * _masterAdverIntervalCs * 10_000) + SkewTime;

    private TimeSpan AdverInterval => TimeSpan.FromMicroseconds(_intervalCs * 10_000L);

    /// <summary>The primary address changed (or became known).</summary>
    public void SetLocalAddress(ReadOnlySpan<byte> address) => _localAddress = address.ToArray();

    /// <summary>Startup event (§6.4.1).</summary>
    public VrrpStep Start(TimeSpan now)
    {
        if (Role != VrrpRole.Initialize)
        {
            return VrrpStep.None;
        }

        if (_fault)
        {
            return Become(VrrpRole.Fault, now, _faultReason);
        }

        return Priority == 255 || _startAsMaster
            ? Become(VrrpRole.Master, now, Priority == 255 ? "address owner (priority 255)" : "configured state MASTER")
            : Become(VrrpRole.Backup, now, "startup");
    }

    /// <summary>Timers: Adver_Timer in Master, Master_Down_Timer in Backup.</summary>
    public VrrpStep OnTimer(TimeSpan now)
    {
        if (Role == VrrpRole.Backup && _masterDownDue is { } down && now >= down)
        {
            return Become(VrrpRole.Master, now, "no advert within Master_Down_Interval");
        }

        if (Role == VrrpRole.Master && _adverDue is { } due && now >= due)
        {
            _adverDue = now + AdverInterval;
            return new VrrpStep(true, Priority, null);
        }

        return VrrpStep.None;
    }

    /// <summary>A valid advert for this instance (already checked by the codec and <see cref="VrrpValidation"/>).</summary>
    public VrrpStep OnAdvert(TimeSpan now, byte priority, int intervalCentiseconds, ReadOnlySpan<byte> source)
    {
        switch (Role)
        {
            case VrrpRole.Backup:
                if (priority == 0)
                {
                    _masterDownDue = now + SkewTime;
                    return VrrpStep.None;
                }

                if (!_preempt || PreemptHeld || priority >= Priority || PreemptDelayed(now))
                {
                    if (priority >= Priority)
                    {
                        _lowerMasterSeenAt = null;
                    }

                    if (_version == VrrpVersion.V3)
                    {
                        _masterAdverIntervalCs = Math.Max(1, intervalCentiseconds);
                    }

                    _masterDownDue = now + MasterDownInterval;
                }

                return VrrpStep.None;

            case VrrpRole.Master:
                if (priority == 0)
                {
                    _adverDue = now + AdverInterval;
                    return new VrrpStep(true, Priority, null);
                }

                if (priority > Priority || (priority == Priority && source.SequenceCompareTo(_localAddress) > 0))
                {
                    if (_version == VrrpVersion.V3)
                    {
                        _masterAdverIntervalCs = Math.Max(1, intervalCentiseconds);
                    }

                    return Become(VrrpRole.Backup, now, priority > Priority
                        ? $"higher priority {priority} advertised"
                        : $"equal priority from a higher address");
                }

                _adverDue = now + AdverInterval;
                return new VrrpStep(true, Priority, null);

            default:
                return VrrpStep.None;
        }
    }

    /// <summary>Tracking changed the effective priority (1..254; the owner's 255 is never changed).</summary>
    public VrrpStep SetPriority(TimeSpan now, int priority)
    {
        byte p = BasePriority == 255 ? (byte)255 : (byte)Math.Clamp(priority, 1, 254);
        if (p == Priority)
        {
            return VrrpStep.None;
        }

        Priority = p;

        // A master that lost priority says so at once, so a better backup can preempt without waiting.
        if (Role == VrrpRole.Master)
        {
            _adverDue = now + AdverInterval;
            return new VrrpStep(true, Priority, null);
        }

        return VrrpStep.None;
    }

    /// <summary>Tracking reports a fault (link down, weight-0 script failed) or its end.</summary>
    public VrrpStep SetFault(TimeSpan now, bool fault, string reason)
    {
        _fault = fault;
        _faultReason = reason;
        if (fault && Role is VrrpRole.Master or VrrpRole.Backup)
        {
            bool wasMaster = Role == VrrpRole.Master;
            VrrpStep step = Become(VrrpRole.Fault, now, reason);
            return step with { SendAdvert = wasMaster, AdvertPriority = 0 };
        }

        if (!fault && Role == VrrpRole.Fault)
        {
            Role = VrrpRole.Initialize;
            VrrpStep step = Start(now);
            return step.Transition is { } t ? step with { Transition = t with { Old = VrrpRole.Fault, Reason = "fault cleared: " + reason } } : step;
        }

        return VrrpStep.None;
    }

    /// <summary>Shutdown event: a master sends priority 0 so a backup takes over after Skew_Time.</summary>
    public VrrpStep Shutdown(TimeSpan now)
    {
        if (Role == VrrpRole.Stopped)
        {
            return VrrpStep.None;
        }

        bool wasMaster = Role == VrrpRole.Master;
        VrrpStep step = Become(VrrpRole.Stopped, now, "shutdown");
        return step with { SendAdvert = wasMaster, AdvertPriority = 0 };
    }

    /// <summary>A sync group moves this member with another (Master, Backup or Fault).</summary>
    public VrrpStep Force(TimeSpan now, VrrpRole role, string reason)
    {
        if (Role == role || Role is VrrpRole.Stopped or VrrpRole.Initialize || role is VrrpRole.Initialize or VrrpRole.Stopped)
        {
            return VrrpStep.None;
        }

        if (_fault && role != VrrpRole.Fault)
        {
            return VrrpStep.None;
        }

        bool wasMaster = Role == VrrpRole.Master;
        VrrpStep step = Become(role, now, reason);
        return role == VrrpRole.Master ? step : step with { SendAdvert = wasMaster, AdvertPriority = 0 };
    }

    private bool PreemptDelayed(TimeSpan now)
    {
        if (_preemptDelay <= TimeSpan.Zero)
        {
            return false;
        }

        _lowerMasterSeenAt ??= now;
        return now < _lowerMasterSeenAt.Value + _preemptDelay;
    }

    private VrrpStep Become(VrrpRole role, TimeSpan now, string reason)
    {
        VrrpRole old = Role;
        Role = role;
        _lowerMasterSeenAt = null;
        switch (role)
        {
            case VrrpRole.Master:
                _masterDownDue = null;
                _adverDue = now + AdverInterval;
                return new VrrpStep(true, Priority, new VrrpTransition(old, role, reason));
            case VrrpRole.Backup:
                _adverDue = null;
                if (old != VrrpRole.Master)
                {
                    _masterAdverIntervalCs = _intervalCs;
                }

                _masterDownDue = now + MasterDownInterval;
                return new VrrpStep(false, 0, new VrrpTransition(old, role, reason));
            default:
                _adverDue = null;
                _masterDownDue = null;
                return new VrrpStep(false, 0, new VrrpTransition(old, role, reason));
        }
    }
}
