using Lvs.Contracts;

namespace Lvs.Daemon.Sync;

/// <summary>The control commands of the sync daemon (ipvsadm --start-daemon, --stop-daemon, -L --daemon).</summary>
public sealed partial class SyncDaemon
{
    public static bool Handles(string command) => command is Commands.StartDaemon or Commands.StopDaemon or Commands.Daemons;

    public ControlResponse Handle(ControlRequest request)
    {
        if (request.Command == Commands.Daemons)
        {
            return ControlResponse.Success() with { Daemons = Status(), Sync = Stats() };
        }

        if (request.Daemon is not { } spec || spec.State is not ("master" or "backup"))
        {
            return ControlResponse.Fail(ControlError.Invalid, "the daemon state must be master or backup");
        }

        if (request.Command == Commands.StopDaemon)
        {
            return Stop(spec.State) is { } notRunning ? ControlResponse.Fail(ControlError.Invalid, notRunning) : ControlResponse.Success();
        }

        if (SyncDaemonConfig.FromSpec(spec, out string? error) is not { } config)
        {
            return ControlResponse.Fail(ControlError.Invalid, error!);
        }

        return Start(spec.State, config) is { } refused ? ControlResponse.Fail(ControlError.Invalid, refused) : ControlResponse.Success();
    }
}
