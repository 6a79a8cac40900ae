using Lvs.Linux;

namespace Lvs.Vrrp;

/// <summary>
/// Runs notify scripts off the VRRP thread, each bounded by a timeout (killed by pid after it):
/// notify_master / notify_backup / notify_fault / notify_stop as written, and notify with
/// keepalived's arguments: TYPE NAME STATE PRIORITY.
/// </summary>
internal static class Notifier
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static void Run(VrrpNotify notify, string type, string name, VrrpRole role, int priority)
    {
        string? specific = role switch
        {
            VrrpRole.Master => notify.Master,
            VrrpRole.Backup => notify.Backup,
            VrrpRole.Fault => notify.Fault,
            VrrpRole.Stopped => notify.Stop,
            _ => null,
        };
        string state = role switch
        {
            VrrpRole.Master => "MASTER",
            VrrpRole.Backup => "BACKUP",
            VrrpRole.Fault => "FAULT",
            _ => "STOP",
        };
        if (specific is not null)
        {
            Start(specific);
        }

        if (notify.Any is not null)
        {
            Start($"{notify.Any} {type} '{name.Replace("'", "", StringComparison.Ordinal)}' {state} {priority}");
        }
    }

    private static void Start(string command) => ThreadPool.QueueUserWorkItem(_ =>
    {
        try
        {
            ProcessResult r = ProcessRunner.Run("/bin/sh", ["-c", command], null, Timeout);
            if (!r.Succeeded)
            {
                Log.Warn("vrrp notify script failed", ("command", command), ("exit", r.ExitCode), ("timed_out", r.TimedOut));
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Log.Warn("vrrp notify script not started", ("command", command), ("error", e.Message));
        }
    });
}
