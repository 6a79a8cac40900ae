using System.Net;
using Lvs.Linux;

namespace Lvs.Agent.Host;

/// <summary>
/// Makes the host changes a real server needs and remembers each one in the undo state file
/// before making it, so <see cref="Restore"/> (clean stop) or <see cref="Undo"/> (after a crash)
/// puts back exactly what was there: old sysctl values, and only the addresses the agent added.
/// </summary>
public sealed class HostChanges
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    private readonly string _statePath;
    private readonly string _procSys;
    private UndoState _state;

    /// <param name="statePath">Where the undo state is written.</param>
    /// <param name="procSys">The /proc/sys root (a directory of plain files in tests).</param>
    public HostChanges(string statePath, string procSys = "/proc/sys")
    {
        _statePath = statePath;
        _procSys = procSys;
        _state = new UndoState { Pid = Environment.ProcessId };
    }

    /// <summary>The changes recorded so far, oldest first.</summary>
    public IReadOnlyList<UndoEntry> Changes => _state.Changes;

    /// <summary>
    /// The names under net/ipv4/conf that ARP suppression applies to: "all" and every interface
    /// except lo ("default" only affects interfaces created later, which we do not own).
    /// </summary>
    public IReadOnlyList<string> ArpInterfaces(IReadOnlyCollection<string> exclude)
    {
        var names = new List<string> { "all" };
        foreach (string dir in Directory.GetDirectories(Path.Combine(_procSys, "net/ipv4/conf")).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(dir);
            if (name is not ("all" or "default" or "lo") && !exclude.Contains(name))
            {
                names.Add(name);
            }
        }

        return names;
    }

    /// <summary>arp_ignore=1 and arp_announce=2 on each of <paramref name="interfaces"/>.</summary>
    public void SuppressArp(IEnumerable<string> interfaces)
    {
        foreach (string name in interfaces)
        {
            SetSysctl($"net/ipv4/conf/{name}/arp_ignore", "1");
            SetSysctl($"net/ipv4/conf/{name}/arp_announce", "2");
        }
    }

    /// <summary>
    /// Sets a sysctl (a path under /proc/sys, e.g. net/ipv4/conf/all/rp_filter). Recorded only when
    /// the value changes and <paramref name="record"/> is set (a TUN device's sysctls vanish with it).
    /// </summary>
    public void SetSysctl(string key, string value, bool record = true)
    {
        string path = Path.Combine(_procSys, key);
        string old = File.ReadAllText(path).Trim();
        if (old == value)
        {
            return;
        }

        if (record)
        {
            Record(new UndoEntry { SysctlPath = path, OldValue = old });
        }

        File.WriteAllText(path, value + "\n");
        Log.Info("sysctl set", ("key", key), ("old", old), ("new", value));
    }

    /// <summary>
    /// Adds <paramref name="vip"/> to lo, /32 for IPv4 and /128 for IPv6, unless it is there already
    /// (then it is left alone at restore).
    /// </summary>
    /// <remarks>
    /// IPv6 needs no counterpart of arp_ignore/arp_announce, which is why nothing else is set:
    /// <list type="bullet">
    /// <item>Answering (arp_ignore=1): ndisc_recv_ns looks the target up with
    /// ipv6_get_ifaddr(net, target, dev, strict=1), which matches only addresses on the interface
    /// the solicitation came in on, so a VIP on lo draws no advertisement on eth0 (proxy_ndp, off
    /// by default, aside). Seen on kernel 6.18 for unicast and solicited-node solicitations
    /// (AgentRootTests6.Dr_NeighbourSolicitationForVip_NoAdvertisement).</item>
    /// <item>Announcing (arp_announce=2): ndisc_solicit uses the triggering packet's source only
    /// when that address is on the outgoing interface, otherwise the interface's own, so the
    /// VIP never appears as the source of our solicitations.</item>
    /// </list>
    /// nodad: duplicate address detection would solicit for the VIP on lo, which no one hears, and
    /// keep the address tentative (unusable as a source) for a second for nothing.
    /// </remarks>
    public void AddVipToLoopback(IPAddress vip)
    {
        bool v6 = vip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        string cidr = v6 ? $"{vip}/128" : $"{vip}/32";
        string inet = v6 ? "inet6" : "inet";
        string shown = Ip(v6 ? "-6" : "-4", "-o", "addr", "show", "dev", "lo");
        if (shown.Contains($" {inet} {cidr} ", StringComparison.Ordinal) || shown.Contains($" {inet} {vip} ", StringComparison.Ordinal))
        {
            Log.Info("vip already on lo, left as is", ("vip", vip));
            return;
        }

        Record(new UndoEntry { Address = cidr, Device = "lo" });
        if (v6)
        {
            Ip("-6", "addr", "add", cidr, "dev", "lo", "nodad");
        }
        else
        {
            Ip("addr", "add", cidr, "dev", "lo");
        }

        Log.Info("vip added", ("vip", cidr), ("dev", "lo"));
    }

    /// <summary>Runs <paramref name="apply"/> (argv) and records <paramref name="undo"/> to reverse it.</summary>
    public void RunReversible(IReadOnlyList<string> apply, IReadOnlyList<string> undo)
    {
        Record(new UndoEntry { Command = undo });
        Run(apply);
        Log.Info("applied", ("command", string.Join(' ', apply)));
    }

    /// <summary>Reverses every recorded change, newest first, then removes the state file.</summary>
    /// <returns>True when every change was reversed.</returns>
    public bool Restore()
    {
        bool ok = Reverse(_state.Changes);
        if (ok)
        {
            File.Delete(_statePath);
            _state = new UndoState { Pid = Environment.ProcessId };
        }
        else
        {
            Log.Warn("some changes could not be reversed; state file kept", ("state", _statePath));
        }

        return ok;
    }

    /// <summary>Reverses the changes a state file records (lvs-agent undo), and removes the file.</summary>
    public static bool Undo(UndoState state, string statePath)
    {
        bool ok = Reverse(state.Changes);
        if (ok)
        {
            File.Delete(statePath);
        }

        return ok;
    }

    private static bool Reverse(IReadOnlyList<UndoEntry> changes)
    {
        bool ok = true;
        for (int i = changes.Count - 1; i >= 0; i--)
        {
            UndoEntry change = changes[i];
            try
            {
                if (change.SysctlPath is not null)
                {
                    if (!File.Exists(change.SysctlPath))
                    {
                        // The interface has gone since; there is nothing left to restore.
                        Log.Info("sysctl gone, skipped", ("path", change.SysctlPath));
                        continue;
                    }

                    File.WriteAllText(change.SysctlPath, change.OldValue + "\n");
                    Log.Info("sysctl restored", ("path", change.SysctlPath), ("value", change.OldValue));
                }
                else if (change.Address is not null)
                {
                    Ip("addr", "del", change.Address, "dev", change.Device ?? "lo");
                    Log.Info("vip removed", ("vip", change.Address), ("dev", change.Device));
                }
                else if (change.Command is { Count: > 0 } command)
                {
                    Run(command);
                    Log.Info("undone", ("command", string.Join(' ', command)));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                Log.Error("undo failed", ("change", Describe(change)), ("error", e.Message));
                ok = false;
            }
        }

        return ok;
    }

    private static string Describe(UndoEntry change) =>
        change.SysctlPath ?? change.Address ?? string.Join(' ', change.Command ?? []);

    private void Record(UndoEntry entry)
    {
        _state.Changes.Add(entry);
        _state.Save(_statePath);
    }

    /// <summary>Runs `ip args...`; throws <see cref="InvalidOperationException"/> on failure.</summary>
    internal static string Ip(params string[] args) => Run(["ip", .. args]);

    /// <summary>Runs a command (no shell) and returns its stdout; false when it fails or is not found.</summary>
    internal static bool TryRun(IReadOnlyList<string> argv, out string output)
    {
        try
        {
            output = Run(argv);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            output = e.Message;
            return false;
        }
    }

    /// <summary>Runs a command (no shell) and returns its stdout; throws <see cref="InvalidOperationException"/> on failure.</summary>
    internal static string Run(IReadOnlyList<string> argv)
    {
        ProcessResult result = ProcessRunner.Run(argv[0], argv.Skip(1), null, CommandTimeout);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(
                $"{string.Join(' ', argv)}: {(result.TimedOut ? "timed out" : $"exit {result.ExitCode}")}: {result.Stderr.Trim()}");
        }

        return result.Stdout;
    }
}
