using Lvs.Health;

namespace Lvs.Daemon.Health;

/// <summary>
/// keepalived's rules for what health checks do to the table (check/ipwrapper.c), as pure functions:
/// the weight a server gets from its checks, when a service has quorum, and which servers belong in
/// the table. No clock, no table: the supervisor feeds them state and applies the answer.
/// </summary>
internal static class HealthPolicy
{
    /// <summary>The highest weight ipvsadm accepts.</summary>
    public const int MaxWeight = 65535;

    /// <summary>
    /// The weight an up server should have. misc_dynamic sets an absolute weight (exit code - 2); an
    /// agent's "N%" scales that by N/100 as HAProxy scales its configured weight, and "drain" makes it 0
    /// (no new connections, existing ones continue). A non-zero percentage of a non-zero weight never
    /// rounds down to 0, as in HAProxy, so a busy server still gets a little traffic.
    /// </summary>
    public static int EffectiveWeight(int baseWeight, int? dynamicWeight, AgentReport? agent)
    {
        int weight = Math.Clamp(dynamicWeight ?? baseWeight, 0, MaxWeight);
        if (agent is not { } a)
        {
            return weight;
        }

        if (a.State == AgentState.Drain)
        {
            return 0;
        }

        if (a.WeightPercent is { } percent)
        {
            long scaled = (long)weight * Math.Max(percent, 0) / 100;
            return (int)Math.Clamp(scaled == 0 && percent > 0 && weight > 0 ? 1 : scaled, 0, MaxWeight);
        }

        return weight;
    }

    /// <summary>
    /// keepalived's update_quorum_state: quorum is gained when the live weight reaches quorum + hysteresis
    /// and lost when it falls below quorum - hysteresis (or to 0), so a weight that hovers at the edge
    /// does not flap the sorry server in and out.
    /// </summary>
    public static bool NextQuorumUp(bool quorumUp, long liveWeight, int quorum, int hysteresis)
    {
        long threshold = quorum + ((quorumUp ? -1L : 1L) * hysteresis);
        if (!quorumUp && liveWeight >= threshold)
        {
            return true;
        }

        if (quorumUp && (liveWeight == 0 || liveWeight < threshold))
        {
            return false;
        }

        return quorumUp;
    }

    /// <summary>
    /// The weight a real server should have in the table, or null when it should not be there.
    /// Up: its effective weight, unless the service lost quorum and a sorry server took over (keepalived
    /// then takes the remaining live servers out). Down: removed, or weight 0 with inhibit_on_failure.
    /// </summary>
    public static int? DesiredWeight(bool up, int effectiveWeight, bool inhibitOnFailure, bool sorryActive)
    {
        if (!up)
        {
            return inhibitOnFailure ? 0 : null;
        }

        return sorryActive ? null : effectiveWeight;
    }

    /// <summary>The sorry server's weight in the table (keepalived's default 1), 0 when idle with sorry_server_inhibit, null when out.</summary>
    public static int? DesiredSorryWeight(bool sorryActive, bool inhibit) => sorryActive ? 1 : inhibit ? 0 : null;

    /// <summary>"up", "down" or "drain", as lvsadm --health shows it.</summary>
    public static string StateName(bool up, AgentReport? agent) =>
        !up ? "down" : agent is { State: AgentState.Drain } ? "drain" : "up";
}
