using System.Security.Cryptography;

namespace Lvs.Lab;

/// <summary>
/// The NAT topology of DESIGN.md in network namespaces, with nginx on the real servers and,
/// on request, lvsd on the director:
/// <code>
///  client eth0 198.51.100.2 ── eth0 director (198.51.100.1, VIP 192.0.2.10/32)
///                                  eth1 10.0.0.1 ── br0 in lan ── eth0 rs1 10.0.0.11
///                                                              └─ eth0 rs2 10.0.0.12 ...
/// </code>
/// Nothing touches the root namespace and there is no route out. <see cref="Dispose"/> stops
/// every process the lab started (by pid), deletes every namespace it made and its temp
/// directory; it is idempotent and safe to call from a Ctrl-C handler.
/// </summary>
public sealed partial class NatLab : IDisposable
{
    /// <summary>The virtual IP, on the director's eth0.</summary>
    public const string Vip = "192.0.2.10";

    /// <summary>The client's address.</summary>
    public const string ClientAddress = "198.51.100.2";

    /// <summary>The director's address towards the client (the client's gateway).</summary>
    public const string DirectorOutsideAddress = "198.51.100.1";

    /// <summary>The director's address towards the real servers (their gateway).</summary>
    public const string DirectorInsideAddress = "10.0.0.1";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    // Every lab not yet disposed, so a Ctrl-C handler can clean up even one still being built.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<NatLab, byte> Live = new();

    private readonly object _gate = new();
    private readonly object _disposeGate = new();
    private readonly List<string> _namespaces = [];
    private readonly List<LabProcess> _processes = [];
    private readonly Action<string> _log;
    private bool _disposed;

    private NatLab(string prefix, string tempDirectory, Action<string>? log)
    {
        Prefix = prefix;
        TempDirectory = tempDirectory;
        _log = log ?? (_ => { });
        ClientNamespace = prefix + "-client";
        DirectorNamespace = prefix + "-director";
        LanNamespace = prefix + "-lan";
        ControlPath = Path.Combine(tempDirectory, "lvsd.sock");
        Live.TryAdd(this, 0);
    }

    /// <summary>The per-run prefix every namespace name starts with (lvs-1a2b3c).</summary>
    public string Prefix { get; }

    /// <summary>A private directory for configs, logs, sockets and downloads; removed on dispose.</summary>
    public string TempDirectory { get; }

    /// <summary>The client's namespace.</summary>
    public string ClientNamespace { get; }

    /// <summary>The director's namespace (where lvsd runs).</summary>
    public string DirectorNamespace { get; }

    /// <summary>The namespace holding the bridge br0 of the private LAN.</summary>
    public string LanNamespace { get; }

    /// <summary>The real servers, in address order.</summary>
    public IReadOnlyList<RealServer> RealServers { get; private set; } = [];

    /// <summary>The lvsd control socket path (inside <see cref="TempDirectory"/>).</summary>
    public string ControlPath { get; }

    /// <summary>The running lvsd, once <see cref="StartLvsd"/> succeeded.</summary>
    public LabProcess? Lvsd { get; private set; }

    /// <summary>Builds the topology and starts nginx on every real server. Cleans up if any step fails.</summary>
    /// <exception cref="LabException">A step failed; the message has the command's output.</exception>
    public static NatLab Create(NatLabOptions? options = null)
    {
        options ??= new NatLabOptions();
        if (options.RealServerCount is < 1 or > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RealServerCount, "1 to 200 real servers");
        }

        string prefix = "lvs-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        string temp = Directory.CreateTempSubdirectory(prefix + "-").FullName;
        var lab = new NatLab(prefix, temp, options.Log);
        try
        {
            lab.Build(options);
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    /// <summary>Runs a command inside namespace <paramref name="ns"/> (ip netns exec) with a 30 s timeout.</summary>
    public ExecResult Exec(string ns, params string[] command) => Exec(ns, CommandTimeout, command);

    /// <summary>Runs a command inside namespace <paramref name="ns"/> (ip netns exec).</summary>
    public ExecResult Exec(string ns, TimeSpan timeout, params string[] command) =>
        ProcessRunner.Run("ip", ["netns", "exec", ns, .. command], timeout);

    /// <summary>Starts a long-running command inside <paramref name="ns"/>; the lab stops it on dispose.</summary>
    public LabProcess StartInNamespace(string name, string ns, params string[] command)
    {
        var process = LabProcess.Start(name, "ip", ["netns", "exec", ns, .. command]);
        Track(process);
        return process;
    }

    /// <summary>Disposes every lab of this process that is not yet disposed (for Ctrl-C and exit handlers).</summary>
    public static void DisposeAll()
    {
        foreach (var lab in Live.Keys)
        {
            lab.Dispose();
        }
    }

    /// <summary>
    /// Stops everything the lab started and deletes its namespaces and temp directory. A second
    /// caller waits until the first one has finished, so an exit handler never cuts cleanup short.
    /// </summary>
    public void Dispose()
    {
        lock (_disposeGate)
        {
            List<LabProcess> processes;
            List<string> namespaces;
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                processes = [.. _processes];
                namespaces = [.. _namespaces];
            }

            Cleanup(processes, namespaces);
            Live.TryRemove(this, out _);
        }
    }

    private void Cleanup(List<LabProcess> processes, List<string> namespaces)
    {
        // lvsd first, with time to remove its nftables rules; then the servers.
        var errors = new List<string>();
        foreach (var process in processes.OrderBy(p => p == Lvsd ? 0 : 1))
        {
            try
            {
                bool diedEarlier = process.HasExited;
                if (!process.Stop(TimeSpan.FromSeconds(5)))
                {
                    _log($"{process.Name} (pid {process.Pid}) ignored SIGTERM; killed");
                }
                else if (process == Lvsd && (diedEarlier || process.ExitCode != 0))
                {
                    // The contract is exit 0 on SIGTERM; anything else needs its log to explain it.
                    _log($"lvsd {(diedEarlier ? "had died" : "exited")} with {process.ExitCode}:\n{process.Output}");
                }

                process.Dispose();
            }
            catch (Exception ex) when (ex is InvalidOperationException or LabException)
            {
                errors.Add($"{process.Name}: {ex.Message}");
            }
        }

        foreach (string ns in Enumerable.Reverse(namespaces))
        {
            var result = ProcessRunner.Run("ip", ["netns", "delete", ns], CommandTimeout);
            if (!result.Succeeded)
            {
                errors.Add(result.Describe());
            }
        }

        try
        {
            Directory.Delete(TempDirectory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"{TempDirectory}: {ex.Message}");
        }

        foreach (string error in errors)
        {
            _log("cleanup: " + error);
        }
    }

    private void Build(NatLabOptions options)
    {
        _log($"building NAT lab {Prefix} with {options.RealServerCount} real servers");
        var servers = Enumerable.Range(1, options.RealServerCount)
            .Select(i => new RealServer($"rs{i}", $"{Prefix}-rs{i}", $"10.0.0.{10 + i}"))
            .ToList();
        RealServers = servers;

        foreach (string ns in new[] { ClientNamespace, DirectorNamespace, LanNamespace }.Concat(servers.Select(s => s.Namespace)))
        {
            AddNamespace(ns);
        }

        // Each veth pair is created inside a lab namespace with its peer moved straight into
        // another one, so no interface ever exists in the root namespace.
        Ip(ClientNamespace, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", DirectorNamespace);
        Ip(DirectorNamespace, "link", "add", "eth1", "type", "veth", "peer", "name", "director", "netns", LanNamespace);
        Ip(LanNamespace, "link", "add", "br0", "type", "bridge");
        Ip(LanNamespace, "link", "set", "director", "master", "br0");
        Ip(LanNamespace, "link", "set", "director", "up");
        foreach (var rs in servers)
        {
            Ip(rs.Namespace, "link", "add", "eth0", "type", "veth", "peer", "name", rs.Name, "netns", LanNamespace);
            Ip(LanNamespace, "link", "set", rs.Name, "master", "br0");
            Ip(LanNamespace, "link", "set", rs.Name, "up");
        }

        Ip(LanNamespace, "link", "set", "br0", "up");

        Ip(ClientNamespace, "addr", "add", ClientAddress + "/24", "dev", "eth0");
        Ip(ClientNamespace, "link", "set", "eth0", "up");
        Ip(ClientNamespace, "route", "add", "default", "via", DirectorOutsideAddress);

        Ip(DirectorNamespace, "addr", "add", DirectorOutsideAddress + "/24", "dev", "eth0");
        Ip(DirectorNamespace, "addr", "add", Vip + "/32", "dev", "eth0");
        Ip(DirectorNamespace, "addr", "add", DirectorInsideAddress + "/24", "dev", "eth1");
        Ip(DirectorNamespace, "link", "set", "eth0", "up");
        Ip(DirectorNamespace, "link", "set", "eth1", "up");
        // lvsd forwards in user space; the kernel must not forward anything by itself.
        Exec(DirectorNamespace, "sysctl", "-q", "-w", "net.ipv4.ip_forward=0").EnsureSuccess();

        foreach (var rs in servers)
        {
            Ip(rs.Namespace, "addr", "add", rs.Address + "/24", "dev", "eth0");
            Ip(rs.Namespace, "link", "set", "eth0", "up");
            Ip(rs.Namespace, "route", "add", "default", "via", DirectorInsideAddress);
        }

        if (options.DisableOffloads)
        {
            DisableOffloads(servers);
        }

        foreach (var rs in servers)
        {
            StartNginx(rs, options.BigFile);
        }

        Thread.Sleep(options.SettleTime);
        WaitForNginx(servers, TimeSpan.FromSeconds(10));
    }

    private void DisableOffloads(IEnumerable<RealServer> servers)
    {
        _log("turning offloads off (debugging only)");
        var devices = new List<(string Ns, string Dev)>
        {
            (ClientNamespace, "eth0"), (DirectorNamespace, "eth0"), (DirectorNamespace, "eth1"),
        };
        devices.AddRange(servers.Select(s => (s.Namespace, "eth0")));
        foreach (var (ns, dev) in devices)
        {
            Exec(ns, "ethtool", "-K", dev, "tso", "off", "gso", "off", "tx", "off").EnsureSuccess();
        }
    }

    private void AddNamespace(string name)
    {
        string ns = name;
        ProcessRunner.Run("ip", ["netns", "add", ns], CommandTimeout).EnsureSuccess();
        lock (_gate)
        {
            if (!_disposed)
            {
                _namespaces.Add(ns);
                ns = "";
            }
        }

        if (ns.Length > 0)
        {
            // Dispose ran (Ctrl-C) while this namespace was being made: it is ours to remove.
            ProcessRunner.Run("ip", ["netns", "delete", ns], CommandTimeout);
            throw new LabException("lab disposed while building");
        }

        Ip(name, "link", "set", "lo", "up");
    }

    private void Track(LabProcess process)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _processes.Add(process);
                return;
            }
        }

        process.Dispose();
        throw new LabException("lab disposed while starting " + process.Name);
    }

    private void Ip(string ns, params string[] args) =>
        ProcessRunner.Run("ip", ["-n", ns, .. args], CommandTimeout).EnsureSuccess();

}
