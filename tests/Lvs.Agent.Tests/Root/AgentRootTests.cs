using System.Net;
using System.Net.Sockets;
using System.Text;
using Lvs.Agent.Decap;
using Lvs.Agent.Tests.Decap;
using Lvs.Linux;

namespace Lvs.Agent.Tests.Root;

/// <summary>
/// lvs-agent as a child process in namespaces this test creates: "rs" runs the agent on
/// 203.0.113.2, "dir" plays the director on 203.0.113.1, joined by one veth pair and nothing else.
/// Every packet loop is bounded; namespaces, the agent and the temporary state go away in Dispose.
/// </summary>
public sealed class AgentRootTests : IDisposable
{
    private const string Vip = "192.0.2.10";
    private const string OtherVip = "192.0.2.99";
    private static readonly IPAddress RealServer = IPAddress.Parse("203.0.113.2");

    private readonly List<IDisposable> _cleanup = [];
    private readonly string _stateDir = Directory.CreateTempSubdirectory("lvs-agent-root-").FullName;
    private AgentNamespace _rs = null!;
    private AgentNamespace _director = null!;

    private string StatePath => Path.Combine(_stateDir, "state.json");

    public void Dispose()
    {
        for (int i = _cleanup.Count - 1; i >= 0; i--)
        {
            _cleanup[i].Dispose();
        }

        Directory.Delete(_stateDir, recursive: true);
    }

    [RootFact]
    public void Dr_StartAndSigterm_SetsThenRestoresArpSysctlsAndVip()
    {
        Topology();
        _rs.Ip("addr", "add", "192.0.2.11/32", "dev", "lo"); // already there: must survive the agent
        var agent = Track(AgentProcess.Start(_rs, "dr", "--vip", Vip, "--vip", "192.0.2.11", "--state", StatePath));

        Assert.Equal("1", _rs.Sysctl("net/ipv4/conf/all/arp_ignore"));
        Assert.Equal("2", _rs.Sysctl("net/ipv4/conf/all/arp_announce"));
        Assert.Equal("1", _rs.Sysctl("net/ipv4/conf/r0/arp_ignore"));
        Assert.Equal("2", _rs.Sysctl("net/ipv4/conf/r0/arp_announce"));
        Assert.Equal("0", _rs.Sysctl("net/ipv4/conf/lo/arp_ignore"));
        Assert.Contains($"inet {Vip}/32", _rs.Ip("-4", "addr", "show", "dev", "lo"), StringComparison.Ordinal);
        Assert.True(File.Exists(StatePath));

        Assert.Equal(0, agent.Stop());

        Assert.Equal("0", _rs.Sysctl("net/ipv4/conf/all/arp_ignore"));
        Assert.Equal("0", _rs.Sysctl("net/ipv4/conf/all/arp_announce"));
        Assert.Equal("0", _rs.Sysctl("net/ipv4/conf/r0/arp_ignore"));
        Assert.Equal("0", _rs.Sysctl("net/ipv4/conf/r0/arp_announce"));
        string lo = _rs.Ip("-4", "addr", "show", "dev", "lo");
        Assert.DoesNotContain($"inet {Vip}/32", lo, StringComparison.Ordinal);
        Assert.Contains("inet 192.0.2.11/32", lo, StringComparison.Ordinal);
        Assert.False(File.Exists(StatePath));
    }

    [RootFact]
    public void Undo_AfterAgentKilled_RestoresFromStateFile()
    {
        Topology();
        var agent = Track(AgentProcess.Start(_rs, "dr", "--vip", Vip, "--state", StatePath));
        agent.Signal("KILL");
        Thread.Sleep(300);
        Assert.Equal("1", _rs.Sysctl("net/ipv4/conf/all/arp_ignore"));

        AgentNamespace.Run("ip", "netns", "exec", _rs.Name, AgentProcess.Binary, "undo", "--state", StatePath);

        Assert.Equal("0", _rs.Sysctl("net/ipv4/conf/all/arp_ignore"));
        Assert.Equal("0", _rs.Sysctl("net/ipv4/conf/r0/arp_announce"));
        Assert.DoesNotContain($"inet {Vip}/32", _rs.Ip("-4", "addr", "show", "dev", "lo"), StringComparison.Ordinal);
        Assert.False(File.Exists(StatePath));
    }

    [RootTheory]
    [InlineData(TunnelType.Ipip)]
    [InlineData(TunnelType.Gue)]
    [InlineData(TunnelType.Gre)]
    public void Tunnel_Userspace_DeliversInnerUdpToVipAndCountsOtherVip(TunnelType type)
    {
        Topology();
        string name = type.ToString().ToLowerInvariant();
        var agent = Track(AgentProcess.Start(_rs, "tunnel", "--vip", Vip, "--type", name, "--userspace", "--state", StatePath));
        Assert.Equal("0", _rs.Sysctl("net/ipv4/conf/lvstun0/rp_filter"));
        Assert.Equal("0", _rs.Sysctl("net/ipv4/conf/all/rp_filter"));
        Assert.Equal("1", _rs.Sysctl("net/ipv4/conf/r0/arp_ignore"));

        using Socket listener = NetNs.Run(_rs.Name, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Bind(new IPEndPoint(IPAddress.Parse(Vip), 9999));
            s.ReceiveTimeout = 500;
            return s;
        });
        using Socket sender = NetNs.Run(_director.Name, () => type == TunnelType.Gue
            ? new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Raw));

        string text = $"through {name}";
        byte[] received = [];
        var buffer = new byte[2048];
        for (int attempt = 0; attempt < 10 && received.Length == 0; attempt++)
        {
            Send(sender, type, TestPackets.Inner(TestPackets.Vip, text));
            try
            {
                received = buffer.AsSpan(0, listener.Receive(buffer)).ToArray();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TimedOut)
            {
                // Fresh namespaces drop the first packets while neighbours resolve; send again.
            }
        }

        Assert.Equal(text, Encoding.ASCII.GetString(received));

        // The path works now: a packet for a VIP the agent does not serve is dropped and counted.
        Send(sender, type, TestPackets.Inner(TestPackets.Addr(OtherVip), "not for us"));
        Thread.Sleep(300);
        Assert.Throws<SocketException>(() => listener.Receive(buffer));

        // SIGUSR1 logs the counters while the agent keeps running.
        agent.Signal("USR1");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!agent.Stderr.Contains("reason=not-our-vip", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(50);
        }

        Assert.Contains("reason=not-our-vip packets=1", agent.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, agent.Stop());
        string log = agent.Stderr;
        Assert.Contains("reason=not-our-vip packets=1", log, StringComparison.Ordinal);
        Assert.Matches(@"reason=delivered packets=[1-9]", log);
        Assert.DoesNotContain("lvstun0", _rs.Ip("-br", "link", "show"), StringComparison.Ordinal);
        Assert.Equal("0", _rs.Sysctl("net/ipv4/conf/r0/arp_ignore"));
        Assert.DoesNotContain($"inet {Vip}/32", _rs.Ip("-4", "addr", "show", "dev", "lo"), StringComparison.Ordinal);
        Assert.False(File.Exists(StatePath));
    }

    private static void Send(Socket sender, TunnelType type, byte[] inner)
    {
        switch (type)
        {
            case TunnelType.Gue:
                sender.SendTo(TestPackets.Gue(inner), new IPEndPoint(RealServer, AgentOptions.DefaultGuePort));
                break;
            case TunnelType.Gre:
                sender.SendTo(TestPackets.Gre(inner, c: true), new IPEndPoint(RealServer, 0));
                break;
            default:
                sender.SendTo(TestPackets.Ipip(inner), new IPEndPoint(RealServer, 0));
                break;
        }
    }

    private void Topology()
    {
        string prefix = AgentNamespace.NewPrefix();
        _rs = Track(AgentNamespace.Create(prefix, "rs"));
        _director = Track(AgentNamespace.Create(prefix, "dir"));
        AgentNamespace.LinkVeth(_director, "d0", "203.0.113.1/24", _rs, "r0", "203.0.113.2/24");
    }

    private T Track<T>(T item)
        where T : IDisposable
    {
        _cleanup.Add(item);
        return item;
    }
}
