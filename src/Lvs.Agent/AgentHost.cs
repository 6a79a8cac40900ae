using System.Runtime.InteropServices;
using Lvs.Agent.Decap;
using Lvs.Agent.Host;
using Lvs.Linux;
using Lvs.Linux.Interop;
using Lvs.Linux.Tunnel;

namespace Lvs.Agent;

/// <summary>
/// Runs one lvs-agent command: applies the host changes, stays in the foreground until SIGINT or
/// SIGTERM, then reverses them. A failure during setup reverses what was already done.
/// </summary>
internal static class AgentHost
{
    /// <summary>SIGUSR1 on Linux; .NET accepts raw signal numbers cast to <see cref="PosixSignal"/>.</summary>
    private const PosixSignal SigUsr1 = (PosixSignal)10;

    public static int Run(AgentOptions options)
    {
        string statePath = options.StatePath ?? DefaultStatePath();
        return options.Command switch
        {
            AgentCommand.Undo => Undo(statePath),
            _ => Serve(options, statePath),
        };
    }

    /// <summary>/run/lvs-agent/&lt;netns&gt;.json, "default" outside a named namespace.</summary>
    public static string DefaultStatePath()
    {
        string name = HostChanges.TryRun(["ip", "netns", "identify"], out string output) ? output.Trim() : string.Empty;
        return $"/run/lvs-agent/{(name.Length == 0 ? "default" : name)}.json";
    }

    private static int Undo(string statePath)
    {
        if (!File.Exists(statePath))
        {
            Log.Info("nothing to undo", ("state", statePath));
            return 0;
        }

        UndoState? state = UndoState.Load(statePath, out string? error);
        if (state is null)
        {
            Console.Error.WriteLine($"lvs-agent: {error}");
            return 1;
        }

        if (IsRunningAgent(state.Pid))
        {
            Console.Error.WriteLine($"lvs-agent: agent {state.Pid} still runs; stop it with SIGTERM instead");
            return 1;
        }

        return HostChanges.Undo(state, statePath) ? 0 : 1;
    }

    private static int Serve(AgentOptions options, string statePath)
    {
        if (File.Exists(statePath))
        {
            Console.Error.WriteLine($"lvs-agent: {statePath} exists: another agent runs or one crashed (lvs-agent undo --state {statePath})");
            return 1;
        }

        var host = new HostChanges(statePath);
        using var stopped = new ManualResetEventSlim();
        TunnelLoop? loop = null;
        var signals = new List<PosixSignalRegistration>();
        foreach (PosixSignal signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            signals.Add(PosixSignalRegistration.Create(signal, ctx =>
            {
                ctx.Cancel = true;
                Log.Info("stopping", ("signal", ctx.Signal));
                loop?.Stop();
                stopped.Set();
            }));
        }

        signals.Add(PosixSignalRegistration.Create(SigUsr1, ctx =>
        {
            ctx.Cancel = true;
            loop?.RequestStats();
        }));

        TunnelSocket? socket = null;
        TunDevice? tun = null;
        try
        {
            if (options.Command == AgentCommand.Tunnel)
            {
                string? kernelDevice = options.ForceUserspace ? null : KernelTunnel.Device(options.Type);
                if (kernelDevice is not null)
                {
                    KernelTunnel.Setup(host, options.Type, options.Port, kernelDevice);
                    Log.Info("kernel decapsulates", ("type", options.Type), ("device", kernelDevice));
                }
                else
                {
                    // The socket first: if it cannot be opened, nothing has been changed yet.
                    socket = options.Type switch
                    {
                        TunnelType.Gue => TunnelSocket.OpenUdp(options.Port),
                        TunnelType.Gre => TunnelSocket.OpenRaw(Decapsulator.ProtocolGre),
                        _ => TunnelSocket.OpenRaw(Decapsulator.ProtocolIpip),
                    };
                    tun = TunDevice.Create(options.Device);
                    HostChanges.Ip("link", "set", "dev", tun.Name, "up");
                    host.SetSysctl($"net/ipv4/conf/{tun.Name}/rp_filter", "0", record: false);
                    host.SetSysctl("net/ipv4/conf/all/rp_filter", "0");
                    loop = new TunnelLoop(options.Type, socket, tun, options.Vips, options.StatsInterval);
                }
            }

            host.SuppressArp(host.ArpInterfaces(tun is null ? [] : [tun.Name]));
            foreach (var vip in options.Vips)
            {
                host.AddVipToLoopback(vip);
            }

            Log.Info("ready", ("mode", options.Command == AgentCommand.Dr ? "dr" : $"tunnel/{options.Type.ToString().ToLowerInvariant()}"),
                ("decap", loop is null ? (options.Command == AgentCommand.Dr ? "none" : "kernel") : $"userspace/{tun!.Name}"),
                ("vips", string.Join(',', options.Vips)), ("state", statePath));

            if (loop is not null)
            {
                if (!stopped.IsSet)
                {
                    loop.Run();
                }

                TunnelLoop.LogCounters(loop.Counters);
            }
            else
            {
                stopped.Wait();
            }

            return host.Restore() ? 0 : 1;
        }
        catch (Exception e) when (e is LinuxException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"lvs-agent: {e.Message}");
            host.Restore();
            return 1;
        }
        finally
        {
            tun?.Dispose();
            socket?.Dispose();
            foreach (var s in signals)
            {
                s.Dispose();
            }
        }
    }

    private static bool IsRunningAgent(int pid)
    {
        if (pid <= 0 || pid == Environment.ProcessId)
        {
            return false;
        }

        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("lvs-agent", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
