using System.Buffers;
using Lvs.Core.Packets;
using Lvs.Core.Sync;
using Lvs.Daemon.Sync;
using Lvs.Linux.PacketIO.Fanout;

namespace Lvs.Daemon.Tests.Sync;

public class WorkerSyncTableTests
{
    private const uint Client = 0xC6336402; // 198.51.100.2

    private sealed class FakeWorker : ISyncTable
    {
        public List<SyncEntry> Installed { get; } = [];

        public SyncEntry[] Table { get; set; } = [];

        public void Install(SyncEntry[] entries, int count)
        {
            Installed.AddRange(entries.AsSpan(0, count).ToArray());
            ArrayPool<SyncEntry>.Shared.Return(entries);
        }

        Task ISyncTable.Installed() => Task.CompletedTask;

        public SyncEntry[]? Snapshot(TimeSpan timeout) => Table;
    }

    private static SyncEntry Entry(ushort clientPort, bool template = false) => new()
    {
        Protocol = 6,
        ClientAddress = Ipv6Address.FromIPv4(Client),
        ClientPort = clientPort,
        VirtualAddress = Ipv6Address.FromIPv4(0xC000020A),
        VirtualPort = 80,
        Flags = template ? IpvsConnFlags.Template : 0,
    };

    [Fact]
    public void Install_Connections_EachOnTheWorkerItsClientHashesTo()
    {
        var workers = new[] { new FakeWorker(), new FakeWorker(), new FakeWorker() };
        var table = new WorkerSyncTable(workers);
        SyncEntry[] batch = ArrayPool<SyncEntry>.Shared.Rent(100);
        for (int i = 0; i < 100; i++)
        {
            batch[i] = Entry((ushort)(40000 + i));
        }

        table.Install(batch, 100);

        Assert.Equal(100, workers.Sum(w => w.Installed.Count));
        for (int w = 0; w < workers.Length; w++)
        {
            Assert.NotEmpty(workers[w].Installed);
            Assert.All(workers[w].Installed, e => Assert.Equal(w, FanoutHash.WorkerOf(Client, e.ClientPort, 3)));
        }
    }

    [Fact]
    public void Install_Template_OnEveryWorkerBeforeItsConnections()
    {
        var workers = new[] { new FakeWorker(), new FakeWorker() };
        var table = new WorkerSyncTable(workers);
        SyncEntry[] batch = ArrayPool<SyncEntry>.Shared.Rent(3);
        batch[0] = Entry(0, template: true);
        batch[1] = Entry(40001);
        batch[2] = Entry(40002);

        table.Install(batch, 3);

        Assert.All(workers, w => Assert.True(w.Installed[0].IsTemplate));
        Assert.Equal(4, workers.Sum(w => w.Installed.Count));
    }

    [Fact]
    public void Snapshot_TemplatesOnEveryWorker_SentOnceAndFirst()
    {
        var workers = new[]
        {
            new FakeWorker { Table = [Entry(0, template: true), Entry(40001)] },
            new FakeWorker { Table = [Entry(0, template: true), Entry(40002), Entry(40003)] },
        };

        SyncEntry[]? all = new WorkerSyncTable(workers).Snapshot(TimeSpan.FromSeconds(1));

        Assert.NotNull(all);
        Assert.Equal(4, all.Length);
        Assert.True(all[0].IsTemplate);
        Assert.Equal([40001, 40002, 40003], all.Skip(1).Select(e => (int)e.ClientPort));
    }

    [Fact]
    public void Snapshot_OneWorkerSilent_Null()
    {
        var silent = new SilentWorker();
        Assert.Null(new WorkerSyncTable([new FakeWorker(), silent]).Snapshot(TimeSpan.FromSeconds(1)));
    }

    private sealed class SilentWorker : ISyncTable
    {
        public void Install(SyncEntry[] entries, int count) => ArrayPool<SyncEntry>.Shared.Return(entries);

        public Task Installed() => Task.CompletedTask;

        public SyncEntry[]? Snapshot(TimeSpan timeout) => null;
    }

    [Fact]
    public void Install_PersistentKey_EveryPortOfAClientOnOneWorker()
    {
        var workers = new[] { new FakeWorker(), new FakeWorker(), new FakeWorker() };
        var key = FanoutKey.For([0xFFFF_FF00], []);
        var table = new WorkerSyncTable(workers, () => key);
        SyncEntry[] batch = ArrayPool<SyncEntry>.Shared.Rent(100);
        for (int i = 0; i < 100; i++)
        {
            batch[i] = Entry((ushort)(40000 + i));
        }

        table.Install(batch, 100);

        Assert.Single(workers, w => w.Installed.Count == 100);
        Assert.Equal(2, workers.Count(w => w.Installed.Count == 0));
    }
}
