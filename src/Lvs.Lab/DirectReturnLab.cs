using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Lvs.Lab;

/// <summary>
/// What the DR and TUN topologies share: the client sits behind a router namespace, the real
/// servers on a bridge of their own network (203.0.113.0/24) with the router as their gateway,
/// and each real server runs <c>lvs-agent</c> next to nginx. Replies go from the real servers
/// to the router and on to the client, never through the director; the router counts them
/// with an nftables rule so the lab can say where the replies went by measurement.
/// Dual stack (<see cref="LabOptions.Ipv6"/>): the client 2001:db8:c::2/64 behind the router's
/// 2001:db8:c::1, the real servers 2001:db8:b::11, ... /64 behind its 2001:db8:b::1, the
/// router forwarding IPv6 too and counting IPv6 replies (source [VIP6]:80) apart.
/// </summary>
public abstract partial class DirectReturnLab : LabTopology
{
    /// <summary>The router's address on the real servers' network (their default gateway).</summary>
    public const string RouterServerSideAddress = "203.0.113.1";

    /// <summary>The router's IPv6 address on the real servers' network (their default gateway).</summary>
    public const string RouterServerSideAddress6 = "2001:db8:b::1";

    private const string RealServerNetwork = "203.0.113";

    private const string RealServerNetwork6 = "2001:db8:b::";

    // The table the router counts replies in; the lab's own, removed with the namespace.
    private const string CounterTable = "lvslab";

    private static readonly TimeSpan AgentReadyTimeout = TimeSpan.FromSeconds(10);

    private readonly List<LabProcess> _agents = [];

    private protected DirectReturnLab(string prefix, string tempDirectory, Action<string>? log)
        : base(prefix, tempDirectory, log)
    {
        RouterNamespace = prefix + "-router";
        LanNamespace = prefix + "-lan";
    }

    /// <summary>The router between the client's network and the others; forwards with the kernel.</summary>
    public string RouterNamespace { get; }

    /// <summary>The namespace holding br0, the real servers' network.</summary>
    public string LanNamespace { get; }

    /// <summary>The running agents, one per real server, once <see cref="StartAgents"/> succeeded.</summary>
    public IReadOnlyList<LabProcess> Agents => _agents;

    /// <summary>The lvs-agent arguments for every real server (<c>dr --vip 192.0.2.10</c>, ...).</summary>
    public abstract IReadOnlyList<string> AgentArgs { get; }

    /// <summary>
    /// The VIPs each agent serves, as <c>--vip</c> arguments: the IPv4 VIP and, when the lab is
    /// dual stack and the method carries IPv6, <see cref="LabTopology.Vip6"/>.
    /// </summary>
    private protected IEnumerable<string> VipArgs(bool carriesIpv6) =>
        Ipv6 && carriesIpv6 ? ["--vip", Vip, "--vip", Vip6] : ["--vip", Vip];

    /// <summary>The router's interface towards the real servers, where their replies enter it.</summary>
    private protected abstract string RouterServerSideDevice { get; }

    /// <summary>
    /// Starts bin/lvs-agent in every real server's namespace and waits until each has put the
    /// VIP on its lo (and <see cref="AgentReady"/> holds). The lab stops the agents on dispose.
    /// </summary>
    /// <exception cref="LabException">An agent exited or was not ready within 10 s; the message has its output.</exception>
    public void StartAgents()
    {
        if (_agents.Count > 0)
        {
            throw new InvalidOperationException("agents already started");
        }

        string agent = RequireProgram("lvs-agent", "src/Lvs.Agent");
        foreach (var rs in RealServers)
        {
            Log($"starting lvs-agent {string.Join(' ', AgentArgs)} in {rs.Namespace}");
            _agents.Add(StartInNamespace($"lvs-agent {rs.Name}", rs.Namespace, [agent, .. AgentArgs]));
        }

        var clock = Stopwatch.StartNew();
        foreach (var (rs, process) in RealServers.Zip(_agents))
        {
            while (!(HasVipOnLo(rs) && AgentReady(rs)))
            {
                if (process.HasExited)
                {
                    throw new LabException($"lvs-agent on {rs.Name} exited with {process.ExitCode} before it was ready:\n{process.Output}");
                }

                if (clock.Elapsed > AgentReadyTimeout)
                {
                    throw new LabException($"lvs-agent on {rs.Name} not ready after {AgentReadyTimeout.TotalSeconds} s:\n{process.Output}");
                }

                Thread.Sleep(100);
            }
        }
    }

    /// <summary>
    /// Reply packets (source VIP:80) the router has forwarded from the real servers' side to
    /// the client, not counting any the director sent.
    /// </summary>
    /// <exception cref="LabException">nft failed or its counter is missing.</exception>
    public long RepliesForwardedByRouter() => CountedReplies("ip");

    /// <summary>As <see cref="RepliesForwardedByRouter"/>, for IPv6 replies (source [VIP6]:80).</summary>
    /// <exception cref="LabException">nft failed or its counter is missing (e.g. an IPv4-only lab).</exception>
    public long Ipv6RepliesForwardedByRouter() => CountedReplies("ip6");

    private long CountedReplies(string family)
    {
        string chain = Exec(RouterNamespace, "nft", "list", "chain", family, CounterTable, "replies").EnsureSuccess().Stdout;
        var match = CounterPackets().Match(chain);
        return match.Success
            ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture)
            : throw new LabException("no counter in the router's reply chain:\n" + chain);
    }

    /// <summary>True once <paramref name="rs"/>'s agent is ready beyond the VIP on lo (e.g. its tunnel device is up).</summary>
    private protected virtual bool AgentReady(RealServer rs) => true;

    /// <summary>
    /// Creates the client, the router (forwarding, eth0 198.51.100.1 towards the client) and the
    /// client's link to it. The subclass adds the router's other legs.
    /// </summary>
    private protected void BuildClientSide()
    {
        Veth(ClientNamespace, "eth0", RouterNamespace, "eth0");
        Ip(ClientNamespace, "addr", "add", ClientAddress + "/24", "dev", "eth0");
        Ip(ClientNamespace, "link", "set", "eth0", "up");
        Ip(ClientNamespace, "route", "add", "default", "via", ClientGateway);

        Ip(RouterNamespace, "addr", "add", ClientGateway + "/24", "dev", "eth0");
        Ip(RouterNamespace, "link", "set", "eth0", "up");
        Sysctl(RouterNamespace, "net.ipv4.ip_forward=1");
        if (Ipv6)
        {
            Addr6(ClientNamespace, ClientAddress6 + "/64", "eth0");
            Route6(ClientNamespace, "default", ClientGateway6);
            Addr6(RouterNamespace, ClientGateway6 + "/64", "eth0");
            Sysctl(RouterNamespace, "net.ipv6.conf.all.forwarding=1");
        }
    }

    /// <summary>
    /// Creates br0 in the lan namespace with the router's <see cref="RouterServerSideDevice"/>
    /// (203.0.113.1/24) and every real server on it (203.0.113.11.. /24, default via the router).
    /// </summary>
    private protected void BuildServerLan()
    {
        Ip(LanNamespace, "link", "add", "br0", "type", "bridge");
        AttachToBridge(RouterNamespace, RouterServerSideDevice, "router");
        Ip(RouterNamespace, "addr", "add", RouterServerSideAddress + "/24", "dev", RouterServerSideDevice);
        Ip(RouterNamespace, "link", "set", RouterServerSideDevice, "up");
        foreach (var rs in RealServers)
        {
            AttachToBridge(rs.Namespace, "eth0", rs.Name);
            Ip(rs.Namespace, "addr", "add", rs.Address + "/24", "dev", "eth0");
            Ip(rs.Namespace, "link", "set", "eth0", "up");
            Ip(rs.Namespace, "route", "add", "default", "via", RouterServerSideAddress);
            if (Ipv6)
            {
                Addr6(rs.Namespace, rs.Address6 + "/64", "eth0");
                Route6(rs.Namespace, "default", RouterServerSideAddress6);
            }
        }

        if (Ipv6)
        {
            Addr6(RouterNamespace, RouterServerSideAddress6 + "/64", RouterServerSideDevice);
        }

        Ip(LanNamespace, "link", "set", "br0", "up");
    }

    /// <summary>A veth from <paramref name="ns"/>'s <paramref name="dev"/> to port <paramref name="port"/> of br0.</summary>
    private protected void AttachToBridge(string ns, string dev, string port)
    {
        Veth(ns, dev, LanNamespace, port);
        Ip(LanNamespace, "link", "set", port, "master", "br0");
        Ip(LanNamespace, "link", "set", port, "up");
    }

    /// <summary>Adds the namespaces of a direct-return lab and names its real servers.</summary>
    private protected void AddNamespaces(int realServers)
    {
        var servers = DefineRealServers(realServers, RealServerNetwork, RealServerNetwork6);
        foreach (string ns in new[] { ClientNamespace, RouterNamespace, DirectorNamespace, LanNamespace }.Concat(servers.Select(s => s.Namespace)))
        {
            AddNamespace(ns);
        }
    }

    /// <summary>
    /// Installs the router's counter of replies forwarded from <see cref="RouterServerSideDevice"/>
    /// to the client; frames from <paramref name="excludeMac"/> (the director, when it shares
    /// that network) are not counted.
    /// </summary>
    private protected void InstallReplyCounter(string? excludeMac)
    {
        string notDirector = excludeMac is null ? "" : $" ether saddr != {excludeMac}";
        string script = $$"""
            table ip {{CounterTable}} {
                chain replies {
                    type filter hook forward priority 0; policy accept;
                    iifname "{{RouterServerSideDevice}}" oifname "eth0" ip saddr {{Vip}} tcp sport {{ServicePort}}{{notDirector}} counter
                }
            }

            """;
        if (Ipv6)
        {
            // A table of its own, so each family's counter is the only one in its chain.
            script += $$"""
                table ip6 {{CounterTable}} {
                    chain replies {
                        type filter hook forward priority 0; policy accept;
                        iifname "{{RouterServerSideDevice}}" oifname "eth0" ip6 saddr {{Vip6}} tcp sport {{ServicePort}}{{notDirector}} counter
                    }
                }

                """;
        }

        string file = Path.Combine(TempDirectory, "router-counter.nft");
        File.WriteAllText(file, script);
        Exec(RouterNamespace, "nft", "-f", file).EnsureSuccess();
    }

    /// <summary>The MAC address of <paramref name="dev"/> in <paramref name="ns"/>.</summary>
    private protected string MacOf(string ns, string dev)
    {
        string text = Exec(ns, "cat", $"/sys/class/net/{dev}/address").EnsureSuccess().Stdout.Trim();
        return MacAddress().IsMatch(text) ? text : throw new LabException($"{dev} in {ns} has no MAC: '{text}'");
    }

    // Every VIP the agent was given, each with its family's full prefix (/32, /128).
    private bool HasVipOnLo(RealServer rs)
    {
        var result = Exec(rs.Namespace, "ip", "-o", "addr", "show", "dev", "lo");
        return result.Succeeded && AgentArgs.Zip(AgentArgs.Skip(1))
            .Where(pair => pair.First == "--vip")
            .All(pair => result.Stdout.Contains($" {pair.Second}/{(pair.Second.Contains(':') ? 128 : 32)} ", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"counter packets (\d+) bytes \d+")]
    private static partial Regex CounterPackets();

    [GeneratedRegex("^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")]
    private static partial Regex MacAddress();
}
