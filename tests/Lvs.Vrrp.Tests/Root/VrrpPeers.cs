using System.Diagnostics;
using Lvs.Linux;

namespace Lvs.Vrrp.Tests.Root;

/// <summary>
/// Two namespaces joined by one veth pair (198.51.100.2 and .3 on eth0, nothing else, no route
/// out), and the VRRP daemons started in them; Dispose kills what it started, by pid, and
/// removes the namespaces.
/// </summary>
internal sealed class VrrpPeers : IDisposable
{
    private static readonly TimeSpan Cmd = TimeSpan.FromSeconds(10);
    private readonly List<Process> _started = [];

    public VrrpPeers()
    {
        string prefix = "vt" + Random.Shared.Next(100000, 999999);
        A = prefix + "-a";
        B = prefix + "-b";
        Dir = Directory.CreateTempSubdirectory("vrrp-test-").FullName;
        Ip("netns", "add", A);
        Ip("netns", "add", B);
        Ip("-n", A, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", B);
        Ip("-n", A, "addr", "add", "198.51.100.2/24", "dev", "eth0");
        Ip("-n", B, "addr", "add", "198.51.100.3/24", "dev", "eth0");
        foreach (string ns in new[] { A, B })
        {
            Ip("-n", ns, "link", "set", "eth0", "up");
            Ip("-n", ns, "link", "set", "lo", "up");
        }

        // Namespaces need a moment before the first packets flow reliably (LINUX-NOTES).
        Thread.Sleep(1500);
    }

    public string A { get; }

    public string B { get; }

    public string Dir { get; }

    public static string RepoBin(string name)
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "bin", name);
            if (File.Exists(candidate) && File.Exists(Path.Combine(d.FullName, "Lvs.slnx")))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"bin/{name} not found: build src/Lvs.Daemon first");
    }

    public bool HasVip(string ns, string vip = "192.0.2.10") =>
        ProcessRunner.Run("ip", ["-n", ns, "-o", "addr", "show", "dev", "eth0"], null, Cmd).Stdout.Contains($" {vip}/", StringComparison.Ordinal);

    /// <summary>Polls every 5 ms until <paramref name="condition"/> holds or <paramref name="limit"/> passes; returns the time taken or null.</summary>
    public static TimeSpan? WaitFor(Func<bool> condition, TimeSpan limit)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < limit)
        {
            if (condition())
            {
                return sw.Elapsed;
            }

            Thread.Sleep(5);
        }

        return null;
    }

    public Process StartLvsd(string ns, string name, string config)
    {
        string conf = Path.Combine(Dir, name + ".conf");
        File.WriteAllText(conf, config);
        return Start(ns, RepoBin("lvsd"), ["--config", conf, "--control", Path.Combine(Dir, name + ".sock")], Path.Combine(Dir, name + ".log"));
    }

    public Process StartKeepalived(string ns, string name, string config)
    {
        string conf = Path.Combine(Dir, name + ".conf");
        File.WriteAllText(conf, config);
        return Start(ns, "keepalived", ["-n", "-l", "-D", "-P", "-f", conf, "-p", Path.Combine(Dir, name + ".pid"), "-r", Path.Combine(Dir, name + "-vrrp.pid")], Path.Combine(Dir, name + ".log"));
    }

    public string Log(string name) => File.Exists(Path.Combine(Dir, name + ".log")) ? File.ReadAllText(Path.Combine(Dir, name + ".log")) : "";

    public string Lvsadm(string name, string ns) =>
        ProcessRunner.Run("ip", ["netns", "exec", ns, RepoBin("lvsadm"), "--control", Path.Combine(Dir, name + ".sock"), "--vrrp"], null, Cmd).Stdout;

    public void Dispose()
    {
        foreach (Process p in _started)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
            }

            p.Dispose();
        }

        ProcessRunner.Run("ip", ["netns", "del", A], null, Cmd);
        ProcessRunner.Run("ip", ["netns", "del", B], null, Cmd);
    }

    private Process Start(string ns, string file, string[] args, string log)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec ip netns exec \"$0\" \"$@\" >\"$LOGFILE\" 2>&1");
        psi.ArgumentList.Add(ns);
        psi.ArgumentList.Add(file);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["LOGFILE"] = log;
        Process p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        _started.Add(p);
        return p;
    }

    private static void Ip(params string[] args)
    {
        ProcessResult r = ProcessRunner.Run("ip", args, null, Cmd);
        if (!r.Succeeded)
        {
            throw new InvalidOperationException($"ip {string.Join(' ', args)}: {r.Stderr}");
        }
    }
}
