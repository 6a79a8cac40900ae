using System.Net.Sockets;
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

        var sockets = new List<TunnelSocket>();
        TunDevice? tun = null;
        bool hasV4 = options.Vips.Any(v => v.AddressFamily == AddressFamily.InterNetwork);
        bool hasV6 = options.Vips.Any(v => v.AddressFamily == AddressFamily.InterNetworkV6);
        try
        {
            if (options.Command == AgentCommand.Tunnel)
            {
                // The kernel's ipip/ip_gre/fou take IPv4 only; IPv6 would need ip6_tunnel and sit,
                // which this kernel lacks, so any IPv6 VIP means user space for all.
                string? kernelDevice = options.ForceUserspace || hasV6 ? null : KernelTunnel.Device(options.Type);
                if (kernelDevice is not null)
                {
                    KernelTunnel.Setup(host, options.Type, options.Port, kernelDevice);
                    Log.Info("kernel decapsulates", ("type", options.Type), ("device", kernelDevice));
                }
                else
                {
                    // The sockets first: if one cannot be opened, nothing has been changed yet.
                    List<TunnelChannel> channels = OpenChannels(options.Type, options.Port, hasV4, hasV6, sockets);
                    tun = TunDevice.Create(options.Device);
                    if (hasV6)
                    {
                        // A TUN device inherits default/disable_ipv6; if set, the kernel would drop every
                        // injected IPv6 packet. It vanishes with the device, so nothing to record.
                        host.SetSysctl($"net/ipv6/conf/{tun.Name}/disable_ipv6", "0", record: false);
                    }

                    HostChanges.Ip("link", "set", "dev", tun.Name, "up");
                    if (hasV4)
                    {
                        // Decapsulated IPv4 arrives on the TUN while the route back leaves by another
                        // interface. IPv6 has no reverse-path filter in the stack, so nothing for it.
                        host.SetSysctl($"net/ipv4/conf/{tun.Name}/rp_filter", "0", record: false);
                        host.SetSysctl("net/ipv4/conf/all/rp_filter", "0");
                    }

                    loop = new TunnelLoop(channels, tun, options.Vips, options.StatsInterval);
                }
            }

            if (hasV4)
            {
                host.SuppressArp(host.ArpInterfaces(tun is null ? [] : [tun.Name]));
            }

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
            foreach (TunnelSocket socket in sockets)
            {
                socket.Dispose();
            }

            foreach (var s in signals)
            {
                s.Dispose();
            }
        }
    }

    /// <summary>
    /// Opens the sockets the tunnel type needs for the VIP families served, adding each to
    /// <paramref name="opened"/> so the caller closes them also when a later one fails. ipip
    /// listens for both outer families, since ip_vs encapsulates by the real server's family,
    /// which the agent does not know: IPv4 inner packets come as protocol 4 in IPv4 or IPv6,
    /// IPv6 ones as protocol 41 in IPv4 or IPv6.
    /// </summary>
    private static List<TunnelChannel> OpenChannels(TunnelType type, ushort port, bool hasV4, bool hasV6, List<TunnelSocket> opened)
    {
        var channels = new List<TunnelChannel>();
        void Add(Func<TunnelSocket> open, DecapPath path)
        {
            TunnelSocket socket = open();
            opened.Add(socket);
            channels.Add(new TunnelChannel(socket, path));
        }

        switch (type)
        {
            case TunnelType.Gue:
                Add(() => TunnelSocket.OpenUdp(port), DecapPath.Gue);
                break;
            case TunnelType.Gre:
                Add(() => TunnelSocket.OpenRaw(Decapsulator.ProtocolGre), DecapPath.Gre);
                break;
            default:
                if (hasV4)
                {
                    Add(() => TunnelSocket.OpenRaw(Decapsulator.ProtocolIpip), DecapPath.Ipip);
                    Add(() => TunnelSocket.OpenRaw6(Decapsulator.ProtocolIpip), DecapPath.Ip4InIp6);
                }

                if (hasV6)
                {
                    Add(() => TunnelSocket.OpenRaw6(Decapsulator.ProtocolIpv6), DecapPath.Ip6InIp6);
                    Add(() => TunnelSocket.OpenRaw(Decapsulator.ProtocolIpv6), DecapPath.Ip6InIp4);
                }

                break;
        }

        return channels;
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
