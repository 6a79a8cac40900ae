using Lvs.Core.Connections;
using Lvs.Core.Scheduling;
using Lvs.Core.Services;
using Lvs.Daemon.DataPath;
using Lvs.Daemon.Sync;
using Lvs.Linux.PacketIO.Fanout;

namespace Lvs.Daemon.Tests.DataPath;

public class WorkerRehomeTests
{
    private const uint Vip = 0xC000020A;
    private const uint Client = 0xC6336402; // 198.51.100.2

    private static (ConnectionTable Table, RealServer Server, int Template) Table(int connections)
    {
        var svc = new VirtualService(new ServiceKey(IpProtocol.Tcp, Vip, 80), new RoundRobinScheduler(), 1,
            new ServiceSettings("rr", Persistent: true, PersistenceMask: 0xFFFF_FF00));
        var rs = new RealServer(0x0A00000B, 8080, ForwardMethod.Masquerade, 1, 1);
        var table = new ConnectionTable();
        int template = table.CreateTemplate(svc, rs, IpProtocol.Tcp, Client & 0xFFFF_FF00, Vip, 80, 8080, 300_000, now: 0);
        for (int i = 0; i < connections; i++)
        {
            table.Create(svc, rs, IpProtocol.Tcp, Client, (ushort)(40000 + i), Vip, 80, 8080, now: 0, template);
        }

        return (table, rs, template);
    }

    [Fact]
    public void TakeMoved_PortKeyTwoWorkers_RemovesOtherWorkersConnectionsCopiesTemplate()
    {
        (ConnectionTable table, RealServer rs, int template) = Table(40);

        var taken = Worker.TakeMoved(table, FanoutKey.Connection, workers: 2, self: 0);

        var moved = taken.Where(e => !e.IsTemplate).ToList();
        Assert.True(taken[0].IsTemplate);
        Assert.Single(taken, e => e.IsTemplate);
        Assert.InRange(moved.Count, 5, 35);
        Assert.All(moved, e => Assert.Equal(1, WorkerSyncTable.WorkerOf(e, FanoutKey.Connection, 2)));
        Assert.Equal(40 - moved.Count + 1, table.Count);
        Assert.Equal(40 - moved.Count, rs.InactiveConns);
        Assert.True(table.IsLive(template));
        foreach (var e in moved)
        {
            Assert.False(table.TryFind(IpProtocol.Tcp, Client, e.ClientPort, Vip, 80, out _, out _));
        }
    }

    [Fact]
    public void TakeMoved_PersistentKey_ClientStaysWhole()
    {
        (ConnectionTable table, _, _) = Table(40);
        var key = FanoutKey.For([0xFFFF_FF00], []);
        int owner = WorkerSyncTable.WorkerOf(InetAddress.FromV4(Client), 40000, key, 2);

        var kept = Worker.TakeMoved(table, key, workers: 2, self: owner);
        var given = Worker.TakeMoved(table, key, workers: 2, self: 1 - owner);

        Assert.Single(kept);
        Assert.Equal(41, given.Length);
        Assert.Equal(1, table.Count);
    }
}
