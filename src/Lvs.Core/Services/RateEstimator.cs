namespace Lvs.Core.Services;

/// <summary>Per-second rates (ipvsadm --rate).</summary>
public readonly record struct TrafficRateValues(long Cps, long InPps, long OutPps, long InBps, long OutBps);

/// <summary>
/// ip_vs_est.c's estimator: every 2 s the counters' growth since the last tick is folded into an
/// exponentially weighted average with weight 1/4, kept scaled (connections and packets by
/// 2^10, bytes by 2^5 per second) so integer arithmetic loses little.
/// </summary>
/// <remarks>One writer (the estimator tick); readers see whole 64-bit values.</remarks>
public sealed class RateEstimator
{
    /// <summary>The kernel's tick: rates are over this period.</summary>
    public const int TickMs = 2000;

    private TrafficTotals _last;
    private long _cps, _inpps, _outpps, _inbps, _outbps;

    /// <summary>One 2-second tick with the counters' current (never zeroed) values.</summary>
    public void Tick(TrafficTotals now)
    {
        // Growth over 2 s, scaled: << 9 is "per second, times 2^10"; << 4 is "per second, times 2^5".
        _cps = Fold(_cps, (now.Conns - _last.Conns) << 9);
        _inpps = Fold(_inpps, (now.InPackets - _last.InPackets) << 9);
        _outpps = Fold(_outpps, (now.OutPackets - _last.OutPackets) << 9);
        _inbps = Fold(_inbps, (now.InBytes - _last.InBytes) << 4);
        _outbps = Fold(_outbps, (now.OutBytes - _last.OutBytes) << 4);
        _last = now;
    }

    /// <summary>ip_vs_zero_estimator: forget the averages, measure from <paramref name="now"/>.</summary>
    public void Reset(TrafficTotals now)
    {
        _last = now;
        Volatile.Write(ref _cps, 0);
        Volatile.Write(ref _inpps, 0);
        Volatile.Write(ref _outpps, 0);
        Volatile.Write(ref _inbps, 0);
        Volatile.Write(ref _outbps, 0);
    }

    /// <summary>ip_vs_read_estimator: the averages unscaled, rounded.</summary>
    public TrafficRateValues Rates => new(
        (Volatile.Read(ref _cps) + 0x1FF) >> 10,
        (Volatile.Read(ref _inpps) + 0x1FF) >> 10,
        (Volatile.Read(ref _outpps) + 0x1FF) >> 10,
        (Volatile.Read(ref _inbps) + 0xF) >> 5,
        (Volatile.Read(ref _outbps) + 0xF) >> 5);

    private static long Fold(long average, long rate) => average + ((rate - average) >> 2);
}
