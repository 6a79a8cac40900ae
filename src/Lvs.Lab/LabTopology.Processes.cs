using System.Diagnostics;
using System.Globalization;

namespace Lvs.Lab;

// The programs every lab runs: nginx on the real servers, lvsd on the director, lvsadm and
// curl to drive and probe them.
public abstract partial class LabTopology
{
    /// <summary>The service port; DR and TUN force the real servers' port to it, as ipvsadm does.</summary>
    public const int ServicePort = 80;

    private static readonly TimeSpan LvsdReadyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The service as lvsadm names it: <c>192.0.2.10:80</c>.</summary>
    public static string VipService => $"{Vip}:{ServicePort}";

    /// <summary>
    /// An address the client reaches with the kernel alone on a port nothing listens on (so
    /// the build check sees "connection refused"): the director's, across the client's gateway.
    /// </summary>
    private protected abstract string DirectorProbeAddress { get; }

    /// <summary>
    /// Starts bin/lvsd in the director namespace with the lab's control socket and waits until
    /// <c>lvsadm -L -n</c> answers.
    /// </summary>
    /// <exception cref="LabException">lvsd exited or did not answer within 10 s; the message has its output.</exception>
    public LabProcess StartLvsd(params string[] extraArgs)
    {
        if (Lvsd is not null)
        {
            throw new InvalidOperationException("lvsd already started");
        }

        string lvsd = RequireProgram("lvsd", "src/Lvs.Daemon");
        Log($"starting lvsd in {DirectorNamespace}");
        var process = StartInNamespace("lvsd", DirectorNamespace, [lvsd, "--control", ControlPath, .. extraArgs]);
        Lvsd = process;
        var clock = Stopwatch.StartNew();
        ExecResult? last = null;
        while (clock.Elapsed < LvsdReadyTimeout)
        {
            if (process.HasExited)
            {
                throw new LabException($"lvsd exited with {process.ExitCode} before it was ready:\n{process.Output}");
            }

            if (File.Exists(ControlPath))
            {
                last = Lvsadm("-L", "-n");
                if (last.Succeeded)
                {
                    return process;
                }
            }

            Thread.Sleep(100);
        }

        string why = last is null ? $"{ControlPath} never appeared" : last.Describe();
        throw new LabException($"lvsd not ready after {LvsdReadyTimeout.TotalSeconds} s: {why}\nlvsd output:\n{process.Output}");
    }

    /// <summary>Runs bin/lvsadm against the lab's lvsd (from the root namespace; the socket is a file).</summary>
    public ExecResult Lvsadm(params string[] args) =>
        ProcessRunner.Run(LvsBin.Program("lvsadm"), ["--control", ControlPath, .. args], TimeSpan.FromSeconds(15));

    /// <summary>
    /// Adds the TCP service VIP:80 with <paramref name="scheduler"/> and the first
    /// <c>weights.Length</c> real servers, with those weights, in this lab's forwarding method.
    /// </summary>
    /// <exception cref="LabException">lvsadm refused a command.</exception>
    public void AddService(string scheduler, params int[] weights)
    {
        Lvsadm("-A", "-t", VipService, "-s", scheduler).EnsureSuccess();
        foreach (var (rs, weight) in RealServers.Zip(weights))
        {
            Lvsadm(["-a", "-t", VipService, .. RealServerArgs(rs), "-w", weight.ToString(CultureInfo.InvariantCulture)])
                .EnsureSuccess();
        }
    }

    /// <summary>The service's counters from <c>lvsadm -L -n --stats --exact</c>.</summary>
    /// <exception cref="LabException">lvsadm failed.</exception>
    /// <exception cref="FormatException">The service is not listed.</exception>
    public ServiceStats ReadServiceStats() =>
        ServiceStats.Parse(Lvsadm("-L", "-n", "--stats", "--exact").EnsureSuccess().Stdout, "TCP", VipService);

    /// <summary>
    /// One HTTP GET from the client namespace over a new connection (a new curl process),
    /// bounded by <paramref name="timeout"/>. Stdout is the body. curl's globbing is off (-g),
    /// so an IPv6 literal (<c>http://[2001:db8:a::1]/</c>) is taken as written.
    /// </summary>
    public ExecResult Curl(string url, TimeSpan timeout, params string[] extraArgs)
    {
        string seconds = timeout.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        // The outer timeout only guards against curl itself hanging.
        return Exec(ClientNamespace, timeout + TimeSpan.FromSeconds(5),
            ["curl", "-g", "-sS", "--fail", "--max-time", seconds, .. extraArgs, url]);
    }

    /// <summary>The real server whose name <paramref name="body"/> is, or null.</summary>
    public RealServer? ServerByBody(string body) =>
        RealServers.FirstOrDefault(rs => NginxConfig.Body(rs.Name) == body);

    /// <summary>The directory holding <paramref name="rs"/>'s nginx config, logs and uploads.</summary>
    public string ServerDirectory(RealServer rs) => Path.Combine(TempDirectory, rs.Name);

    /// <summary>The lvsadm arguments after <c>-a -t VIP:80</c> that add <paramref name="rs"/> (without -w).</summary>
    private protected abstract string[] RealServerArgs(RealServer rs);

    /// <summary>The full path of bin/<paramref name="name"/>, or why it is missing.</summary>
    private protected static string RequireProgram(string name, string project)
    {
        string path = LvsBin.Program(name);
        if (!File.Exists(path))
        {
            throw new LabException($"{path} not found; build {project} (or set {LvsBin.EnvironmentVariable})");
        }

        return path;
    }

    private protected LabProcess? FindProcess(string name)
    {
        lock (_gate)
        {
            return _processes.FirstOrDefault(p => p.Name == name);
        }
    }

    private void StartNginx(RealServer rs, string? bigFile)
    {
        string dir = ServerDirectory(rs);
        foreach (string sub in new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi", "uploads" })
        {
            Directory.CreateDirectory(Path.Combine(dir, sub));
        }

        string conf = Path.Combine(dir, "nginx.conf");
        File.WriteAllText(conf, NginxConfig.Render(rs.Name, dir, bigFile, Ipv6));
        // -e keeps nginx from opening the system error log before it reads the config.
        StartInNamespace($"nginx {rs.Name}", rs.Namespace,
            ["nginx", "-p", dir, "-c", conf, "-e", Path.Combine(dir, "error.log")]);
    }

    // Checks the kernel-only paths before any lvsd exists: the director reaches every real
    // server's nginx and the client reaches the director. Fresh namespaces take a moment, so
    // this retries for a bounded time.
    private void WaitForNginx(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var targets = RealServers.Select(rs => (rs, Url: $"http://{rs.Address}/"))
            .Concat(RealServers.Where(rs => rs.Address6 is not null).Select(rs => (rs, Url: $"http://[{rs.Address6}]/")));
        foreach (var (rs, url) in targets)
        {
            while (true)
            {
                // -g: the brackets of an IPv6 literal are not curl's globbing.
                var result = Exec(DirectorNamespace, TimeSpan.FromSeconds(5),
                    "curl", "-g", "-sS", "--max-time", "2", url);
                if (result.Succeeded && result.Stdout == NginxConfig.Body(rs.Name))
                {
                    break;
                }

                var nginx = FindProcess($"nginx {rs.Name}");
                if (nginx is { HasExited: true } || clock.Elapsed > timeout)
                {
                    string log = ReadIfExists(Path.Combine(ServerDirectory(rs), "error.log"));
                    throw new LabException($"{rs.Name} ({url}) not reachable from the director: {result.Describe()}\n"
                        + $"nginx output: {nginx?.Output}\nnginx error.log: {log}");
                }

                Thread.Sleep(200);
            }
        }

        // Nothing listens there: a quick "connection refused" (curl exit 7) proves the round
        // trip as well as a ping would, without needing iputils-ping.
        WaitForRefusal($"http://{DirectorProbeAddress}:9/", clock, timeout);
        if (Ipv6)
        {
            WaitForRefusal($"http://[{DirectorProbeAddress6}]:9/", clock, timeout);
        }
    }

    private void WaitForRefusal(string url, Stopwatch clock, TimeSpan timeout)
    {
        ExecResult probe;
        do
        {
            probe = Exec(ClientNamespace, TimeSpan.FromSeconds(5), "curl", "-g", "-sS", "--max-time", "2", url);
        }
        while (probe.ExitCode != 7 && clock.Elapsed < timeout && Pause());

        if (probe.ExitCode != 7)
        {
            throw new LabException($"client cannot reach the director ({url}): {probe.Describe()}");
        }
    }

    private static bool Pause()
    {
        Thread.Sleep(200);
        return true;
    }

    private static string ReadIfExists(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}
