using System.Buffers.Binary;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Scheduling;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;
using static Lvs.Core.Tests.TestSupport.Ipv6PacketBuilder;

namespace Lvs.Core.Tests;

/// <summary>IPv6 persistence (prefix-length templates), hashing schedulers on IPv6 and fwmark -6 services.</summary>
public class DirectorIpv6SchedulingTests
{
    private const string Vip = DirectorIpv6Tests.Vip;
    private const byte Syn = TcpSegment.Syn;

    private readonly ServiceTable _services = new(workers: 1);
    private readonly Director _director;
    private readonly ServiceKey _key = new(IpProtocol.Tcp, Ipv6Address.Parse(Vip), 80);

    public DirectorIpv6SchedulingTests()
    {
        _director = new Director(_services);
        _director.Tick(0);
    }

    private void AddService(ServiceSettings settings, int servers = 2)
    {
        Assert.Equal(TableResult.Ok, _services.AddService(_key, settings));
        for (int i = 1; i <= servers; i++)
        {
            _services.AddServer(_key, Ipv6Address.Parse($"fd00::{i}"), 8080, ForwardMethod.Masquerade, 1);
        }
    }

    private string Connect(string client, ushort port, ServiceKey? key = null)
    {
        Verdict v = _director.Process(DirectorIpv6Tests.Frame(Tcp(client, port, Vip, key?.Port ?? 80, Syn)), default, 0);
        Assert.Equal(VerdictKind.Forward, v.Kind);
        return v.NextHop.ToString();
    }

    [Fact]
    public void Persistence_Prefix64_ClientsOfOneNetworkShareAServer()
    {
        AddService(new ServiceSettings("rr", Persistent: true, PersistenceMask: 64));

        string first = Connect("2001:db8:c::2", 40000);

        Assert.Equal(first, Connect("2001:db8:c::ffff:99", 40001)); // same /64: the template
        Assert.NotEqual(first, Connect("2001:db8:c:1::2", 40000)); // another /64: rr's next
        Assert.True(_director.Connections.TryFindTemplate(IpProtocol.Tcp, Ipv6Address.Parse("2001:db8:c::"), Ipv6Address.Parse(Vip), 80, out _));
    }

    [Fact]
    public void Persistence_DefaultMask_IsThe128BitAddress()
    {
        AddService(new ServiceSettings("rr", Persistent: true));

        string first = Connect("2001:db8:c::2", 40000);

        Assert.Equal(first, Connect("2001:db8:c::2", 40001));
        Assert.NotEqual(first, Connect("2001:db8:c::3", 40000));
    }

    [Fact]
    public void HashKey32_Ipv6_IsTheXorOfItsFourWords()
    {
        byte[] b = Address("2001:db8:c::1234:5678");
        uint expected = 0;
        for (int i = 0; i < 16; i += 4)
        {
            expected ^= BinaryPrimitives.ReadUInt32BigEndian(b.AsSpan(i));
        }

        Assert.Equal(expected, InetAddress.FromV6(Ipv6Address.ReadFrom(b)).HashKey32);
        Assert.Equal(0xC0000201u, InetAddress.FromV4(0xC0000201u).HashKey32);
    }

    [Fact]
    public void SourceHash_Ipv6_PicksTheKernelsBucketAndStaysThere()
    {
        AddService(new ServiceSettings("sh"), servers: 3);
        var sh = (SourceHashingScheduler)_services.Lookup(_key)!.Scheduler;
        RealServer[] servers = _services.Lookup(_key)!.Destinations;

        foreach (string client in new[] { "2001:db8:c::2", "2001:db8:c::17", "2001:db8:c:5::1" })
        {
            var ctx = new ScheduleContext(IpProtocol.Tcp, Ipv6Address.Parse(client), 40000, Ipv6Address.Parse(Vip), 80);
            uint fold = InetAddress.FromV6(Ipv6Address.Parse(client)).HashKey32;
            RealServer expected = sh.Schedule(servers, ctx)!;
            Assert.Equal(expected, sh.Schedule(servers, ctx with { ClientPort = 40001 }));   // the port does not count
            // ip_vs_sh_hashkey hashes only the 32-bit fold: an IPv4 client whose address is the fold lands alike.
            Assert.Equal(expected, sh.Schedule(servers, ctx with { ClientAddress = InetAddress.FromV4(fold) }));
            for (ushort port = 40000; port < 40020; port++)
            {
                Assert.Equal(expected.Address.ToString(), Connect(client, port));
            }
        }
    }

    [Fact]
    public void MaglevHash_Ipv6_StablePerClientAndSpreadOverServers()
    {
        AddService(new ServiceSettings("mh"), servers: 3);
        var seen = new HashSet<string>();

        for (int c = 1; c <= 60; c++)
        {
            string client = $"2001:db8:c::{c:x}";
            string first = Connect(client, 40000);
            Assert.Equal(first, Connect(client, 40001));
            seen.Add(first);
        }

        Assert.Equal(3, seen.Count);
    }

    [Fact]
    public void Fwmark_Ipv6Service_TakesOnlyIpv6Packets()
    {
        var rule6 = new FwmarkRule(9, IpProtocol.Tcp) { Destination6 = Ipv6Address.Parse("2001:db8:a::"), Destination6Prefix = 64 };
        var rule4 = new FwmarkRule(9, IpProtocol.Tcp, PacketBuilder.Ip("192.0.2.0"), 0xFFFF_FF00);
        _services.Marks = new FwmarkClassifier([rule6, rule4]);
        ServiceKey fwm6 = ServiceKey.ForFwmark(9, ipv6: true);
        Assert.Equal(TableResult.Ok, _services.AddService(fwm6, new ServiceSettings("rr")));
        _services.AddServer(fwm6, Ipv6Address.Parse("2001:db8:b::7"), 0, ForwardMethod.DirectRoute, 1);

        Assert.Equal("2001:db8:b::7", Connect("2001:db8:c::2", 40000, new ServiceKey(IpProtocol.Tcp, default, 443)));

        // The IPv4 packet matches rule4 (mark 9) but there is no IPv4 FWM 9: the kernel's.
        byte[] v4 = PacketBuilder.Tcp(PacketBuilder.Ip("198.51.100.2"), 40000, PacketBuilder.Ip("192.0.2.10"), 443, Syn);
        Assert.Equal(VerdictKind.Pass, _director.Process(v4, default, 0).Kind);
        Assert.True(fwm6.IsV6);
        Assert.NotEqual(ServiceKey.ForFwmark(9), fwm6);
    }

    [Fact]
    public void FwmarkClassifier_Ipv6Rule_NeverMatchesIpv4()
    {
        var c = new FwmarkClassifier([new FwmarkRule(3) { Destination6 = Ipv6Address.Parse("::"), Destination6Prefix = 0 }]);

        Assert.Equal(3u, c.Classify(IpProtocol.Tcp, Ipv6Address.Parse("2001:db8:c::2"), 1, Ipv6Address.Parse(Vip), 80));
        Assert.Equal(0u, c.Classify(IpProtocol.Tcp, PacketBuilder.Ip("198.51.100.2"), 1, PacketBuilder.Ip("192.0.2.10"), 80));
    }
}
