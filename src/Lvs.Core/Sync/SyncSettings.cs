namespace Lvs.Core.Sync;

/// <summary>
/// When a master syncs a connection: ip_vs's sysctls sync_threshold (default 3) and
/// sync_period (default 50) — a connection is sent at its threshold-th incoming packet and
/// every period packets after that, and at once on entering FIN_WAIT, CLOSE, CLOSE_WAIT or
/// TIME_WAIT (Documentation/networking/ipvs-sysctl.rst).
/// </summary>
/// <param name="Threshold">sync_threshold[0]; must be below <paramref name="Period"/> when that is set.</param>
/// <param name="Period">sync_threshold[1]; 0 sends each connection only once, at the threshold.</param>
public sealed record SyncSettings(int Threshold = 3, int Period = 50)
{
    public static SyncSettings Default { get; } = new();
}
