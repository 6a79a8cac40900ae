using System.Diagnostics;

namespace Lvs.Lab;

// The programs the lab runs: nginx on the real servers, lvsd on the director, lvsadm and
// curl to drive and probe them.
public sealed partial class NatLab
{
    private static readonly TimeSpan LvsdReadyTimeout = TimeSpan.FromSeconds(10);

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

        string lvsd = LvsBin.Program("lvsd");
        if (!File.Exists(lvsd))
        {
            throw new LabException($"{lvsd} not found; build src/Lvs.Daemon (or set {LvsBin.EnvironmentVariable})");
        }

        _log($"starting lvsd in {DirectorNamespace}");
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
    /// <c>weights.Length</c> real servers in masquerading mode (-m) with those weights.
    /// </summary>
    /// <exception cref="LabException">lvsadm refused a command.</exception>
    public void AddNatService(string scheduler, params int[] weights)
    {
        string vip = Vip + ":80";
        Lvsadm("-A", "-t", vip, "-s", scheduler).EnsureSuccess();
        foreach (var (rs, weight) in RealServers.Zip(weights))
        {
            Lvsadm("-a", "-t", vip, "-r", rs.Address + ":80", "-m", "-w", weight.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .EnsureSuccess();
        }
    }

    /// <summary>
    /// One HTTP GET from the client namespace over a new connection (a new curl process),
    /// bounded by <paramref name="timeout"/>. Stdout is the body.
    /// </summary>
    public ExecResult Curl(string url, TimeSpan timeout, params string[] extraArgs)
    {
        string seconds = timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        // The outer timeout only guards against curl itself hanging.
        return Exec(ClientNamespace, timeout + TimeSpan.FromSeconds(5),
            ["curl", "-sS", "--fail", "--max-time", seconds, .. extraArgs, url]);
    }

    /// <summary>The real server whose name <paramref name="body"/> is, or null.</summary>
    public RealServer? ServerByBody(string body) =>
        RealServers.FirstOrDefault(rs => NginxConfig.Body(rs.Name) == body);

    private void StartNginx(RealServer rs, string? bigFile)
    {
        string dir = Path.Combine(TempDirectory, rs.Name);
        foreach (string sub in new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            Directory.CreateDirectory(Path.Combine(dir, sub));
        }

        string conf = Path.Combine(dir, "nginx.conf");
        File.WriteAllText(conf, NginxConfig.Render(rs.Name, dir, bigFile));
        // -e keeps nginx from opening the system error log before it reads the config.
        StartInNamespace($"nginx {rs.Name}", rs.Namespace,
            ["nginx", "-p", dir, "-c", conf, "-e", Path.Combine(dir, "error.log")]);
    }

    // Checks the kernel-only paths before any lvsd exists: the director reaches every real
    // server's nginx across the bridge and the client reaches the director. Fresh namespaces
    // take a moment, so this retries for a bounded time.
    private void WaitForNginx(IReadOnlyList<RealServer> servers, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        foreach (var rs in servers)
        {
            while (true)
            {
                var result = Exec(DirectorNamespace, TimeSpan.FromSeconds(5),
                    "curl", "-sS", "--max-time", "2", $"http://{rs.Address}/");
                if (result.Succeeded && result.Stdout == NginxConfig.Body(rs.Name))
                {
                    break;
                }

                var nginx = FindProcess($"nginx {rs.Name}");
                if (nginx is { HasExited: true } || clock.Elapsed > timeout)
                {
                    string log = ReadIfExists(Path.Combine(TempDirectory, rs.Name, "error.log"));
                    throw new LabException($"{rs.Name} ({rs.Address}) not reachable from the director: {result.Describe()}\n"
                        + $"nginx output: {nginx?.Output}\nnginx error.log: {log}");
                }

                Thread.Sleep(200);
            }
        }

        // Nothing listens on the director yet: a quick "connection refused" (curl exit 7) proves
        // the round trip as well as a ping would, without needing iputils-ping.
        var probe = Exec(ClientNamespace, TimeSpan.FromSeconds(5),
            "curl", "-sS", "--max-time", "2", $"http://{DirectorOutsideAddress}:9/");
        if (probe.ExitCode != 7)
        {
            throw new LabException($"client cannot reach the director: {probe.Describe()}");
        }
    }

    private LabProcess? FindProcess(string name)
    {
        lock (_gate)
        {
            return _processes.FirstOrDefault(p => p.Name == name);
        }
    }

    private static string ReadIfExists(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}
