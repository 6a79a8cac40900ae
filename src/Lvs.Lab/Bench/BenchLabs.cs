namespace Lvs.Lab.Bench;

/// <summary>
/// The labs the bench runs in, built once per bench: one NAT lab shared by the routed baseline,
/// nftables, HAProxy, nginx and lvsd NAT (one at a time), and a DR and a TUN lab with lvsd and
/// the agents. Each gets iperf3 on its first real server and port ranges wide enough for the
/// idle-connection phase. Disposing removes every namespace and process.
/// </summary>
internal sealed class BenchLabs : IDisposable
{
    /// <summary>iperf3's port (TCP control and data, UDP data).</summary>
    public const int IperfPort = 5201;

    /// <summary>The port of the idle-connection phase's hold servers.</summary>
    public const int HoldPort = 9000;

    // Hold clients speak from 198.51.100.20 up, a fresh address each time, so no TIME_WAIT
    // left by an earlier phase can collide with a new connection's tuple.
    private const int FirstHoldClient = 20;
    private const int LastHoldClient = 250;

    private readonly List<LabTopology> _labs = [];
    private readonly Dictionary<LabTopology, int> _nextClient = [];
    private readonly Action<string> _log;
    private readonly IReadOnlyList<string> _lvsdArgs;

    /// <param name="lvsdArgs">More arguments for every lvsd the rows start.</param>
    public BenchLabs(Action<string> log, IReadOnlyList<string>? lvsdArgs = null)
    {
        _log = log;
        _lvsdArgs = lvsdArgs ?? [];
    }

    /// <summary>Builds the labs <paramref name="rows"/> need and returns their balancers in row order.</summary>
    public IReadOnlyList<Balancer> Build(IReadOnlyList<string> rows)
    {
        var options = new LabOptions { RealServerCount = 2, Log = _log };
        NatLab? nat = null;
        DirectReturnLab? dr = null;
        var balancers = new List<Balancer>();
        foreach (string row in rows)
        {
            if (row is "routed" or "nft" or "haproxy" or "nginx" or "lvs-nat" && nat is null)
            {
                nat = Track(NatLab.Create(options));
                Prepare(nat, nat.DirectorNamespace);
            }

            if (row is "routed-dr" or "lvs-dr" && dr is null)
            {
                dr = (DirectReturnLab)Prepare(Track(LabSetup.CreateAndStart(ForwardingMethod.Dr, options)), null);
            }

            balancers.Add(row switch
            {
                "routed" => new RoutedBalancer(nat!),
                "nft" => new NftDnatBalancer(nat!),
                "haproxy" => new HaproxyBalancer(nat!),
                "nginx" => new NginxStreamBalancer(nat!),
                "lvs-nat" => new LvsdNatBalancer(nat!, _lvsdArgs),
                "routed-dr" => new DirectLabRoutedBalancer(dr!),
                "lvs-dr" => new LvsdDirectBalancer(dr!, _lvsdArgs),
                "lvs-tun" => new LvsdDirectBalancer((DirectReturnLab)Prepare(Track(LabSetup.CreateAndStart(ForwardingMethod.Tun, options)), null), _lvsdArgs),
                _ => throw new ArgumentOutOfRangeException(nameof(rows), row, null),
            });
        }

        return balancers;
    }

    /// <summary>
    /// <paramref name="count"/> client addresses not used before in <paramref name="lab"/>, added
    /// to the client's interface.
    /// </summary>
    /// <exception cref="LabException">The lab ran out of fresh addresses.</exception>
    public IReadOnlyList<string> FreshClientAddresses(LabTopology lab, int count)
    {
        int next = _nextClient.GetValueOrDefault(lab, FirstHoldClient);
        if (next + count - 1 > LastHoldClient)
        {
            throw new LabException("no fresh client addresses left for the hold phase; use fewer runs or --hold-every-run off");
        }

        _nextClient[lab] = next + count;
        var addresses = Enumerable.Range(next, count).Select(i => $"198.51.100.{i}").ToList();
        foreach (string a in addresses)
        {
            lab.AddClientAddress(a);
        }

        return addresses;
    }

    public void Dispose()
    {
        foreach (var lab in _labs)
        {
            lab.Dispose();
        }
    }

    private T Track<T>(T lab)
        where T : LabTopology
    {
        _labs.Add(lab);
        return lab;
    }

    private LabTopology Prepare(LabTopology lab, string? proxyNamespace)
    {
        // Ephemeral ports for up to 64k connections per destination: the hold clients and, in the
        // NAT lab, the proxies' connections to the real servers.
        const string Ports = "net.ipv4.ip_local_port_range=1024 65000";
        Sysctl(lab, lab.ClientNamespace, Ports, "net.ipv4.tcp_tw_reuse=1");
        if (proxyNamespace is not null)
        {
            Sysctl(lab, proxyNamespace, Ports, "net.ipv4.tcp_tw_reuse=1");
        }

        foreach (var rs in lab.RealServers)
        {
            Sysctl(lab, rs.Namespace, "net.core.somaxconn=65535", "net.ipv4.tcp_max_syn_backlog=65535");
        }

        var first = lab.RealServers[0];
        string[] iperf = ["iperf3", "-s", "-p", IperfPort.ToString(System.Globalization.CultureInfo.InvariantCulture)];
        // In DR and TUN the server must answer UDP from the VIP (on its lo); bound to the wildcard,
        // iperf3's connected UDP socket would answer from its own address and the client ignores that.
        lab.StartInNamespace($"iperf3 {first.Name}", first.Namespace, lab is DirectReturnLab ? [.. iperf, "-B", LabTopology.Vip] : iperf);
        if (lab is DirectReturnLab)
        {
            // The routed-dr row reaches the server at its own address.
            lab.StartInNamespace($"iperf3 {first.Name} own address", first.Namespace, [.. iperf, "-B", first.Address]);
        }

        return lab;
    }

    private static void Sysctl(LabTopology lab, string ns, params string[] settings) =>
        lab.Exec(ns, ["sysctl", "-q", "-w", .. settings]).EnsureSuccess();
}
