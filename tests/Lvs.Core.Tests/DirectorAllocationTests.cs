using Lvs.Core.Forwarding;
using Lvs.Core.Tests.Forwarding;

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

        long before = GC.GetAllocatedBytesForCurrentThread();
        int forwarded = Run(director, inbound, outbound, frame, 10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(10_000, forwarded);
        Assert.Equal(0, allocated);
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
