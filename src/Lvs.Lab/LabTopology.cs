using System.Security.Cryptography;

namespace Lvs.Lab;

/// <summary>
/// What every lab topology shares: a client, a director and real servers in network namespaces
/// with a per-run prefix, nginx on the real servers and, on request, lvsd on the director.
/// The subclasses (<see cref="NatLab"/>, <see cref="DrLab"/>, <see cref="TunLab"/>) wire the
/// links and addresses of their forwarding method. Nothing touches the root namespace and
/// there is no route out. <see cref="Dispose"/> stops every process the lab started (by pid),
/// deletes every namespace it made and its temp directory; it is idempotent and safe to call
/// from a Ctrl-C handler.
/// </summary>
public abstract partial class LabTopology : IDisposable
{
    /// <summary>The virtual IP (on the director; on the real servers' lo in DR and TUN).</summary>
    public const string Vip = "192.0.2.10";

    /// <summary>The client's address.</summary>
    public const string ClientAddress = "198.51.100.2";

    /// <summary>The client's gateway: the director in NAT, the router in DR and TUN.</summary>
    public const string ClientGateway = "198.51.100.1";

    private protected static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(30);

    // Every lab not yet disposed, so a Ctrl-C handler can clean up even one still being built.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<LabTopology, byte> Live = new();

    private readonly object _gate = new();
    private readonly object _disposeGate = new();
    private readonly List<string> _namespaces = [];
    private readonly List<LabProcess> _processes = [];
    private bool _disposed;

    private protected LabTopology(string prefix, string tempDirectory, Action<string>? log)
    {
        Prefix = prefix;
        TempDirectory = tempDirectory;
        Log = log ?? (_ => { });
        ClientNamespace = prefix + "-client";
        DirectorNamespace = prefix + "-director";
        ControlPath = Path.Combine(tempDirectory, "lvsd.sock");
        Live.TryAdd(this, 0);
    }

    /// <summary>The forwarding method this topology is built for.</summary>
    public abstract ForwardingMethod Method { get; }

    /// <summary>The per-run prefix every namespace name starts with (lvs-1a2b3c).</summary>
    public string Prefix { get; }

    /// <summary>A private directory for configs, logs, sockets and downloads; removed on dispose.</summary>
    public string TempDirectory { get; }

    /// <summary>The client's namespace.</summary>
    public string ClientNamespace { get; }

    /// <summary>The director's namespace (where lvsd runs).</summary>
    public string DirectorNamespace { get; }

    /// <summary>The real servers, in address order.</summary>
    public IReadOnlyList<RealServer> RealServers { get; private set; } = [];

    /// <summary>The lvsd control socket path (inside <see cref="TempDirectory"/>).</summary>
    public string ControlPath { get; }

    /// <summary>True when the lab is dual stack (<see cref="LabOptions.Ipv6"/>).</summary>
    public bool Ipv6 { get; private set; }

    /// <summary>The running lvsd, once <see cref="StartLvsd"/> succeeded.</summary>
    public LabProcess? Lvsd { get; private set; }

    /// <summary>Every namespace of the lab, for messages: <c>lvs-1a2b3c-{client,director,...}</c>.</summary>
    public string NamespaceSummary
    {
        get
        {
            lock (_gate)
            {
                return $"{Prefix}-{{{string.Join(',', _namespaces.Select(ns => ns[(Prefix.Length + 1)..]))}}}";
            }
        }
    }

    private protected Action<string> Log { get; }

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

        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Makes the prefix and temp directory, constructs the lab with <paramref name="factory"/>
    /// and builds it; disposes it if any step fails.
    /// </summary>
    private protected static T Create<T>(LabOptions? options, Func<string, string, Action<string>?, T> factory)
        where T : LabTopology
    {
        options ??= new LabOptions();
        if (options.RealServerCount is < 1 or > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RealServerCount, "1 to 200 real servers");
        }

        string prefix = "lvs-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        string temp = Directory.CreateTempSubdirectory(prefix + "-").FullName;
        var lab = factory(prefix, temp, options.Log);
        lab.Ipv6 = options.Ipv6;
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

    /// <summary>Creates the namespaces, links and addresses, then starts nginx (see <see cref="StartServers"/>).</summary>
    private protected abstract void Build(LabOptions options);

    /// <summary>Every (namespace, interface) that carries lab traffic, for <see cref="LabOptions.DisableOffloads"/>.</summary>
    private protected abstract IEnumerable<(string Ns, string Dev)> TrafficInterfaces();

    /// <summary>
    /// Names the real servers rs1..rsN with addresses <paramref name="network"/>.11, .12, ...
    /// and, in a dual-stack lab, <paramref name="network6"/>11, 12, ... (<c>fd00::</c> gives fd00::11).
    /// </summary>
    private protected IReadOnlyList<RealServer> DefineRealServers(int count, string network, string network6)
    {
        RealServers = Enumerable.Range(1, count)
            .Select(i => new RealServer($"rs{i}", $"{Prefix}-rs{i}", $"{network}.{10 + i}")
            {
                Address6 = Ipv6 ? $"{network6}{10 + i}" : null,
            })
            .ToList();
        return RealServers;
    }

    /// <summary>The last build step: offloads (if asked), nginx everywhere, then the kernel-only checks.</summary>
    private protected void StartServers(LabOptions options)
    {
        if (options.DisableOffloads)
        {
            Log("turning offloads off (debugging only)");
            foreach (var (ns, dev) in TrafficInterfaces())
            {
                Exec(ns, "ethtool", "-K", dev, "tso", "off", "gso", "off", "tx", "off").EnsureSuccess();
            }
        }

        foreach (var rs in RealServers)
        {
            StartNginx(rs, options.BigFile);
        }

        Thread.Sleep(options.SettleTime);
        WaitForNginx(TimeSpan.FromSeconds(10));
    }

    private protected void AddNamespace(string name)
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

        if (Ipv6)
        {
            // Before any interface exists, so every one inherits "default": IPv6 on whatever the
            // host's defaults are, and no duplicate address detection, so addresses work at once.
            Sysctl(name, "net.ipv6.conf.all.disable_ipv6=0", "net.ipv6.conf.default.disable_ipv6=0",
                "net.ipv6.conf.lo.disable_ipv6=0", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
        }

        Ip(name, "link", "set", "lo", "up");
    }

    /// <summary>
    /// A veth pair created inside <paramref name="ns"/> with its peer moved straight into
    /// <paramref name="peerNs"/>, so no interface ever exists in the root namespace.
    /// </summary>
    private protected void Veth(string ns, string dev, string peerNs, string peerDev) =>
        Ip(ns, "link", "add", dev, "type", "veth", "peer", "name", peerDev, "netns", peerNs);

    /// <summary>Sets one or more sysctls (name=value) inside <paramref name="ns"/>.</summary>
    private protected void Sysctl(string ns, params string[] settings) =>
        Exec(ns, ["sysctl", "-q", "-w", .. settings]).EnsureSuccess();

    private protected void Ip(string ns, params string[] args) =>
        ProcessRunner.Run("ip", ["-n", ns, .. args], CommandTimeout).EnsureSuccess();

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

    private void Cleanup(List<LabProcess> processes, List<string> namespaces)
    {
        // lvsd first, with time to remove its nftables rules; then the agents and servers.
        var errors = new List<string>();
        foreach (var process in processes.OrderBy(p => p == Lvsd ? 0 : 1))
        {
            try
            {
                bool diedEarlier = process.HasExited;
                if (!process.Stop(TimeSpan.FromSeconds(5)))
                {
                    Log($"{process.Name} (pid {process.Pid}) ignored SIGTERM; killed");
                }
                else if (process == Lvsd && (diedEarlier || process.ExitCode != 0))
                {
                    // The contract is exit 0 on SIGTERM; anything else needs its log to explain it.
                    Log($"lvsd {(diedEarlier ? "had died" : "exited")} with {process.ExitCode}:\n{process.Output}");
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
            Log("cleanup: " + error);
        }
    }
}

/// <summary>The three forwarding methods of LVS, as lvsadm names them.</summary>
public enum ForwardingMethod
{
    /// <summary>Masquerading (-m): replies return through the director.</summary>
    Nat,

    /// <summary>Direct routing (-g): the director changes only the destination MAC.</summary>
    Dr,

    /// <summary>IP tunnelling (-i): the director wraps the packet in an outer header.</summary>
    Tun,
}
