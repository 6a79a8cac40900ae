using System.Diagnostics;

namespace Lvs.Lab.Bench;

/// <summary>lvsd in NAT (-m) on the director of the shared NAT lab, started for its row and stopped after.</summary>
internal sealed class LvsdNatBalancer(NatLab lab, IReadOnlyList<string> lvsdArgs) : Balancer("lvs-nat", "lvsd NAT", lab)
{
    private LabProcess? _lvsd;

    private string ControlPath => Path.Combine(Lab.TempDirectory, "bench-lvsd.sock");

    public override IEnumerable<int> Pids => _lvsd is null ? [] : [_lvsd.Pid];

    public override void Start(int processes)
    {
        if (_lvsd is not null)
        {
            return;
        }

        _lvsd = Lab.StartInNamespace("lvsd (bench)", Lab.DirectorNamespace, [LvsBin.Program("lvsd"), "--control", ControlPath, .. lvsdArgs]);
        var clock = Stopwatch.StartNew();
        while (!(File.Exists(ControlPath) && Lvsadm("-L", "-n").Succeeded))
        {
            if (_lvsd.HasExited || clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new LabException($"bench lvsd not ready:\n{_lvsd.Output}");
            }

            Thread.Sleep(100);
        }

        LvsdServices.Add(Lab, args => Lvsadm(args).EnsureSuccess(), rs => ["-m"], withPorts: true);
    }

    public override void Stop()
    {
        _lvsd?.Stop(TimeSpan.FromSeconds(10));
        _lvsd = null;
    }

    private ExecResult Lvsadm(params string[] args) =>
        ProcessRunner.Run(LvsBin.Program("lvsadm"), ["--control", ControlPath, .. args], TimeSpan.FromSeconds(15));
}

/// <summary>lvsd in DR (-g) or TUN (-i, IPIP) in its own lab, with lvs-agent on the real servers; it runs for the whole bench.</summary>
internal sealed class LvsdDirectBalancer(DirectReturnLab lab, IReadOnlyList<string> lvsdArgs) : Balancer(
    lab.Method == ForwardingMethod.Dr ? "lvs-dr" : "lvs-tun",
    lab.Method == ForwardingMethod.Dr ? "lvsd DR" : "lvsd TUN (IPIP)",
    lab)
{
    private bool _configured;

    public override IEnumerable<int> Pids => Lab.Lvsd is { } lvsd ? [lvsd.Pid] : [];

    public override void Start(int processes)
    {
        if (_configured)
        {
            return;
        }

        if (lvsdArgs.Count > 0)
        {
            Lab.RestartLvsd([.. lvsdArgs]);
            Lab.AddService("rr", [.. Lab.RealServers.Select(_ => 1)]);
        }

        // LabSetup already added VIP:80 rr over every real server.
        bool dr = Lab.Method == ForwardingMethod.Dr;
        LvsdServices.Add(Lab, args => Lab.Lvsadm(args).EnsureSuccess(), rs => dr ? ["-g"] : ["-i", "--tun-type", "ipip"],
            withPorts: dr, skipWeb: true);
        _configured = true;
    }

    public override void Stop()
    {
    }
}

/// <summary>The bench's lvsd services, for every forwarding method.</summary>
internal static class LvsdServices
{
    /// <summary>
    /// Adds TCP and UDP VIP:5201 to the first real server and TCP VIP:9000 (and, unless
    /// <paramref name="skipWeb"/>, TCP VIP:80) rr over all of them.
    /// </summary>
    public static void Add(LabTopology lab, Action<string[]> lvsadm, Func<RealServer, string[]> method, bool withPorts, bool skipWeb = false)
    {
        string Server(RealServer rs, int port) => withPorts ? $"{rs.Address}:{port}" : rs.Address;
        void Service(string proto, int port, IEnumerable<RealServer> servers)
        {
            string vip = $"{LabTopology.Vip}:{port}";
            lvsadm(["-A", proto, vip, "-s", "rr"]);
            foreach (var rs in servers)
            {
                lvsadm(["-a", proto, vip, "-r", Server(rs, port), .. method(rs), "-w", "1"]);
            }
        }

        if (!skipWeb)
        {
            Service("-t", 80, lab.RealServers);
        }

        Service("-t", BenchLabs.IperfPort, lab.RealServers.Take(1));
        Service("-u", BenchLabs.IperfPort, lab.RealServers.Take(1));
        Service("-t", BenchLabs.HoldPort, lab.RealServers);
    }
}
