namespace Lvs.Lab;

// lvsd's web listener in a lab: a Unix socket in the lab's directory, so tools in any namespace
// (and lvs-lab's loopback proxy in the root namespace) reach it without a network path.
public abstract partial class LabTopology
{
    /// <summary>The Unix socket lvsd serves /metrics and the dashboard on when started with <see cref="WebArgs"/>.</summary>
    public string WebSocketPath => Path.Combine(TempDirectory, "web.sock");

    /// <summary>lvsd's arguments for a web listener on <see cref="WebSocketPath"/>.</summary>
    public string[] WebArgs => ["--web", "unix:" + WebSocketPath];
}
