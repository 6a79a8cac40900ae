using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.Forwarding;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests;

public class DirectorAllocationTests
{
    [Fact]
    public void Process_EstablishedFlow_AllocatesNothing()
    {
        var director = new Director(GoldenPackets.CreateServices());
        foreach (GoldenPacket g in GoldenPackets.TcpFlow)
        {
            director.Process(g.Input, default, 0);
        }

        byte[] inbound = GoldenPackets.TcpClientData.Input;
        byte[] outbound = GoldenPackets.TcpServerData.Input;
        byte[] frame = new byte[inbound.Length];

        // Warm up (tiering, statics) before measuring.
        Run(director, inbound, outbound, frame, 20_000);

        (int forwarded, long allocated) = SteadyState(director, inbound, outbound, frame);

        Assert.Equal(10_000, forwarded);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Process_EstablishedIpv6Flow_AllocatesNothing()
    {
        var services = new ServiceTable(workers: 1);
        var key = new ServiceKey(IpProtocol.Tcp, Ipv6Address.Parse(DirectorIpv6Tests.Vip), 80);
        services.AddService(key, "rr");
        services.AddServer(key, Ipv6Address.Parse(DirectorIpv6Tests.Rs), 8080, ForwardMethod.Masquerade, 1);
        var director = new Director(services);
        director.Process(DirectorIpv6Tests.Frame(Ipv6PacketBuilder.Tcp(DirectorIpv6Tests.Client, 40000, DirectorIpv6Tests.Vip, 80, TcpSegment.Syn)), default, 0);
        byte[] inbound = DirectorIpv6Tests.Frame(Ipv6PacketBuilder.Tcp(DirectorIpv6Tests.Client, 40000, DirectorIpv6Tests.Vip, 80, TcpSegment.Ack, [1, 2, 3]));
        byte[] outbound = DirectorIpv6Tests.Frame(Ipv6PacketBuilder.Tcp(DirectorIpv6Tests.Rs, 8080, DirectorIpv6Tests.Client, 40000, TcpSegment.Ack, [4, 5, 6]));
        byte[] frame = new byte[inbound.Length];

        Run(director, inbound, outbound, frame, 20_000);

        (int forwarded, long allocated) = SteadyState(director, inbound, outbound, frame);

        Assert.Equal(10_000, forwarded);
        Assert.Equal(0, allocated);
    }

    /// <summary>
    /// Measures 10,000 packets; up to three windows, because the runtime's tier-1 recompilation
    /// (on a loaded machine it can land late) may initialise a comparer on this thread once.
    /// Steady state is a window with no allocation: a per-packet allocation shows in every one.
    /// </summary>
    private static (int Forwarded, long Allocated) SteadyState(Director director, byte[] inbound, byte[] outbound, byte[] frame)
    {
        (int, long) last = default;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            int forwarded = Run(director, inbound, outbound, frame, 10_000);
            last = (forwarded, GC.GetAllocatedBytesForCurrentThread() - before);
            if (last.Item2 == 0)
            {
                break;
            }
        }

        return last;
    }

    private static int Run(Director director, byte[] inbound, byte[] outbound, byte[] frame, int count)
    {
        int forwarded = 0;
        for (int i = 0; i < count; i++)
        {
            byte[] template = (i & 1) == 0 ? inbound : outbound;
            template.CopyTo(frame, 0);
            if (director.Process(frame, default, 1 + i).Kind == VerdictKind.Forward)
            {
                forwarded++;
            }
        }

        return forwarded;
    }
}
