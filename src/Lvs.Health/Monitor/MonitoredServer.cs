namespace Lvs.Health;

/// <summary>A real server watched by a <see cref="HealthMonitor"/>. Read-only for callers; the monitor updates it.</summary>
public sealed class MonitoredServer
{
    internal MonitoredServer(string id, bool up, DateTimeOffset now)
    {
        Id = id;
        Up = up;
        LastReason = up ? "initial state up" : "initial state down (alpha)";
        LastChange = now;
    }

    /// <summary>The caller's name for the server.</summary>
    public string Id { get; }

    /// <summary>True when every checker of the server is up.</summary>
    public bool Up { get; internal set; }

    /// <summary>The last misc_dynamic weight, or null.</summary>
    public int? DynamicWeight { get; internal set; }

    /// <summary>The last agent report, or null.</summary>
    public AgentReport? Agent { get; internal set; }

    /// <summary>The reason of the last transition.</summary>
    public string LastReason { get; internal set; }

    /// <summary>When <see cref="Up"/> last changed.</summary>
    public DateTimeOffset LastChange { get; internal set; }
}
