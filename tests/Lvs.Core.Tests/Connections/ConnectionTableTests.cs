using Lvs.Core.Connections;
using Lvs.Core.Scheduling;
using Lvs.Core.Services;

namespace Lvs.Core.Tests.Connections;

public class ConnectionTableTests
{
    private const uint Vip = 0xC000020A;
    private static readonly ServiceKey Key = new(IpProtocol.Tcp, Vip, 80);

    private static (VirtualService Service, RealServer Server) Service(ForwardMethod method = ForwardMethod.Masquerade) =>
        (new VirtualService(Key, new RoundRobinScheduler(), 1), new RealServer(0x0A00000B, 8080, method, 1, 1));

    [Fact]
    public void Create_Nat_FindableFromBothDirectionsAndCountedInactive()
    {
        var table = new ConnectionTable();
        (VirtualService svc, RealServer rs) = Service();

        int i = table.Create(svc, rs, IpProtocol.Tcp, 0xC6336402, 40000, Vip, 80, now: 500);

        Assert.True(table.TryFind(IpProtocol.Tcp, 0xC6336402, 40000, Vip, 80, out int inIndex, out PacketDirection inDir));
        Assert.Equal((i, PacketDirection.Input), (inIndex, inDir));
        Assert.True(table.TryFind(IpProtocol.Tcp, 0x0A00000B, 8080, 0xC6336402, 40000, out int outIndex, out PacketDirection outDir));
        Assert.Equal((i, PacketDirection.Output), (outIndex, outDir));
        Assert.False(table.TryFind(IpProtocol.Udp, 0xC6336402, 40000, Vip, 80, out _, out _));
        Assert.False(table.TryFind(IpProtocol.Tcp, 0xC6336402, 40001, Vip, 80, out _, out _));

        ref Connection c = ref table[i];
        Assert.Equal(TcpState.None, c.State);
        Assert.False(c.IsActive);
        Assert.Equal(3_500, c.ExpiresAt);
        Assert.Equal(1, rs.Counters.InactiveConns);
        Assert.Equal(0, rs.Counters.ActiveConns);
        Assert.Equal(1, rs.Counters.Totals.Conns);
        Assert.Equal(1, svc.Counters.Totals.Conns);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void Create_DirectRoute_InputOnlyAndKeepsVirtualPort()
    {
        var table = new ConnectionTable();
        (VirtualService svc, RealServer rs) = Service(ForwardMethod.DirectRoute);

        int i = table.Create(svc, rs, IpProtocol.Tcp, 0xC6336402, 40000, Vip, 80, now: 0);

        Assert.True(table.TryFind(IpProtocol.Tcp, 0xC6336402, 40000, Vip, 80, out _, out PacketDirection dir));
        Assert.Equal(PacketDirection.InputOnly, dir);
        Assert.Equal(80, table[i].DestPort);

        // A reply seen once clears NOOUTPUT: later input uses the INPUT table again.
        table.OnTcpSegment(ref table[i], PacketDirection.Output, Lvs.Core.Packets.TcpSegment.Ack, 1);
        Assert.True(table.TryFind(IpProtocol.Tcp, 0xC6336402, 40000, Vip, 80, out _, out dir));
        Assert.Equal(PacketDirection.Input, dir);
    }

    [Fact]
    public void Remove_ReleasesEntryAndCounters()
    {
        var table = new ConnectionTable();
        (VirtualService svc, RealServer rs) = Service();
        int i = table.Create(svc, rs, IpProtocol.Tcp, 1, 2, Vip, 80, 0);

        table.Remove(i);

        Assert.Equal(0, table.Count);
        Assert.Equal(0, rs.Counters.InactiveConns);
        Assert.False(table.TryFind(IpProtocol.Tcp, 1, 2, Vip, 80, out _, out _));
        Assert.Equal(0, table.Expire(1_000_000));
    }

    [Fact]
    public void Create_BeyondInitialCapacity_GrowsAndFindsAll()
    {
        var table = new ConnectionTable(initialCapacity: 16);
        (VirtualService svc, RealServer rs) = Service();
        for (int n = 0; n < 5_000; n++)
        {
            Assert.True(table.Create(svc, rs, IpProtocol.Tcp, 0xC6336400u + (uint)(n % 7), (ushort)(1024 + n), Vip, 80, 0) >= 0);
        }

        Assert.True(table.Capacity >= 5_000);
        Assert.True(table.BucketCount >= 5_000);
        for (int n = 0; n < 5_000; n++)
        {
            uint client = 0xC6336400u + (uint)(n % 7);
            Assert.True(table.TryFind(IpProtocol.Tcp, client, (ushort)(1024 + n), Vip, 80, out int i, out _));
            Assert.True(table.TryFind(IpProtocol.Tcp, 0x0A00000B, 8080, client, (ushort)(1024 + n), out int j, out _));
            Assert.Equal(i, j);
        }
    }

    [Fact]
    public void Create_TableFull_ReturnsMinusOneAndReusesFreedSlots()
    {
        var table = new ConnectionTable(initialCapacity: 16, maxEntries: 32);
        (VirtualService svc, RealServer rs) = Service();
        for (int n = 0; n < 32; n++)
        {
            Assert.True(table.Create(svc, rs, IpProtocol.Tcp, 1, (ushort)n, Vip, 80, 0) >= 0);
        }

        Assert.Equal(-1, table.Create(svc, rs, IpProtocol.Tcp, 1, 999, Vip, 80, 0));

        table.Remove(5);
        Assert.Equal(5, table.Create(svc, rs, IpProtocol.Tcp, 1, 999, Vip, 80, 0));
        Assert.Equal(32, table.Count);
    }

    [Fact]
    public void Expire_OneCallFarInTheFuture_ExpiresHundredThousandAndCounters()
    {
        var table = new ConnectionTable();
        (VirtualService svc, RealServer rs) = Service();
        for (int n = 0; n < 100_000; n++)
        {
            table.Create(svc, rs, IpProtocol.Tcp, 0xC6336400u + (uint)(n >> 16), (ushort)n, Vip, 80, now: n / 100);
        }

        Assert.Equal(100_000, table.Count);
        Assert.Equal(100_000, rs.Counters.InactiveConns);

        Assert.Equal(100_000, table.Expire(10_000_000));

        Assert.Equal(0, table.Count);
        Assert.Equal(0, rs.Counters.InactiveConns);
        Assert.Equal(0, rs.Counters.ActiveConns);
        Assert.False(table.TryFind(IpProtocol.Tcp, 0xC6336400u, 5, Vip, 80, out _, out _));
    }

    [Fact]
    public void Expire_AfterLongPause_ExpiresHundredThousandInOneCall()
    {
        var table = new ConnectionTable();
        (VirtualService svc, RealServer rs) = Service();
        table.Expire(0);
        for (int n = 0; n < 100_000; n++)
        {
            table.Create(svc, rs, IpProtocol.Tcp, 0xC6336400u + (uint)(n >> 16), (ushort)n, Vip, 80, now: n / 100);
        }

        Assert.Equal(100_000, table.Expire(10_000_000));
        Assert.Equal(0, table.Count);
        Assert.Equal(0, rs.Counters.InactiveConns);
    }

    [Fact]
    public void Expire_RegularTicks_ExpiresEachAtItsDeadline()
    {
        var table = new ConnectionTable();
        (VirtualService svc, RealServer rs) = Service();
        table.Expire(0);
        table.Create(svc, rs, IpProtocol.Tcp, 1, 1, Vip, 80, now: 50);    // expires 3050
        table.Create(svc, rs, IpProtocol.Tcp, 1, 2, Vip, 80, now: 1_000); // expires 4000

        Assert.Equal(0, table.Expire(3_049));
        Assert.Equal(1, table.Expire(3_050 + ConnectionTable.TickMs));
        Assert.Equal(0, table.Expire(3_999));
        Assert.Equal(1, table.Expire(4_000));
        Assert.Equal(0, table.Count);
    }

    [Theory]
    [InlineData(5_000)]
    [InlineData(1 << 22)]
    [InlineData(1 << 30)]
    [InlineData(int.MaxValue)]
    public void TryFind_AnyMaxEntries_TagsNeverHideAnEntry(int maxEntries)
    {
        // maxEntries sets how many link bits are left for hash tags: 8, 8, 1 and none.
        var table = new ConnectionTable(initialCapacity: 16, maxEntries: maxEntries);
        (VirtualService svc, RealServer rs) = Service();
        var index = new int[5_000];
        for (int n = 0; n < 5_000; n++)
        {
            index[n] = table.Create(svc, rs, IpProtocol.Tcp, 0xC6336400u + (uint)(n % 13), (ushort)(1024 + n), Vip, 80, 0);
        }

        for (int n = 0; n < 5_000; n += 2)
        {
            table.Remove(index[n]);
        }

        for (int n = 0; n < 5_000; n++)
        {
            uint client = 0xC6336400u + (uint)(n % 13);
            bool live = n % 2 == 1;
            Assert.Equal(live, table.TryFind(IpProtocol.Tcp, client, (ushort)(1024 + n), Vip, 80, out int i, out PacketDirection dir));
            Assert.Equal(live, table.TryFind(IpProtocol.Tcp, 0x0A00000B, 8080, client, (ushort)(1024 + n), out int j, out _));
            if (live)
            {
                Assert.Equal((index[n], PacketDirection.Input, index[n]), (i, dir, j));
            }
        }

        Assert.Equal(2_500, table.Expire(10_000_000));
        Assert.Equal(0, rs.Counters.InactiveConns);
    }

    [Fact]
    public void InvalidateTemplate_ThenTableGrows_TemplateStaysOutOfTheHash()
    {
        var table = new ConnectionTable(initialCapacity: 16);
        (VirtualService svc, RealServer rs) = Service();
        int t = table.CreateTemplate(svc, rs, IpProtocol.Tcp, 0xC6336400, Vip, 80, 8080, timeoutMs: 360_000, now: 0);
        int c = table.Create(svc, rs, IpProtocol.Tcp, 0xC6336400, 1000, Vip, 80, 8080, now: 0, template: t);
        table.InvalidateTemplate(t, now: 0);

        // Growing rehashes every live entry; the invalidated template must not come back.
        for (int n = 0; n < 100; n++)
        {
            table.Create(svc, rs, IpProtocol.Tcp, 0xC6336401, (ushort)(2000 + n), Vip, 80, now: 0);
        }

        Assert.False(table.TryFindTemplate(IpProtocol.Tcp, 0xC6336400, Vip, 80, out _));
        Assert.True(table.TryFind(IpProtocol.Tcp, 0xC6336400, 1000, Vip, 80, out int found, out _));
        Assert.Equal(c, found);

        // The template is visited first and outlives its connection by one more timeout.
        Assert.Equal(101, table.Expire(10_000_000));
        Assert.Equal(1, table.Expire(20_000_000));
        Assert.Equal(0, table.Count);
    }
}
