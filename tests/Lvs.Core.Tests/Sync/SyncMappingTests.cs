using Lvs.Core.Connections;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Sync;
using Lvs.Core.Tests.Forwarding;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Core.Tests.Sync;

/// <summary>Master → entries → backup table, with a fake clock; the backup then forwards as the master did.</summary>
public class SyncMappingTests
{
    private static readonly uint Client = GoldenPackets.ClientAddress;
    private static readonly uint Vip = GoldenPackets.VipAddress;
    private static readonly uint Rs = GoldenPackets.RealServerAddress;

    private readonly Director _master = new(GoldenPackets.CreateServices());
    private readonly Director _backup = new(GoldenPackets.CreateServices());
    private readonly SyncCounters _counters = new();

    private Verdict Send(Director d, byte[] frame, long now) => d.Process(frame, new PacketMeta(), now);

    private static byte[] FromClient(byte flags) => PacketBuilder.Tcp(Client, 40000, Vip, 80, flags);

    private static byte[] FromServer(byte flags) => PacketBuilder.Tcp(Rs, 8080, Client, 40000, flags);

    private SyncEntry[] MasterEntries()
    {
        var list = new List<SyncEntry>();
        ConnectionTable t = _master.Connections;
        for (int i = 0; i < t.HighWater; i++)
        {
            if (t.IsLive(i))
            {
                SyncMapping.ToEntry(ref t[i], out SyncEntry e);
                list.Add(e);
            }
        }

        return [.. list];
    }

    private void EstablishOnMaster()
    {
        Send(_master, FromClient(TcpSegment.Syn), 0);
        Send(_master, FromServer(TcpSegment.Syn | TcpSegment.Ack), 1);
        Send(_master, FromClient(TcpSegment.Ack), 2);
    }

    [Fact]
    public void Install_NatConnection_BackupRewritesBothDirectionsAsMaster()
    {
        EstablishOnMaster();
        SyncMapping.InstallBatch(MasterEntries(), _backup.Connections, _backup.Services, 1000, _counters);
        Assert.Equal(1, _counters.EntriesInstalled);

        // In: the client's next segment goes to the same real server and port.
        byte[] data = FromClient(TcpSegment.Ack | TcpSegment.Psh);
        Verdict v = Send(_backup, data, 1001);
        Assert.Equal(VerdictKind.Forward, v.Kind);
        Assert.Equal(Rs, v.NextHop);
        Assert.True(Ipv4Packet.TryCreate(data.AsSpan(14), out Ipv4Packet ip) == Ipv4ParseResult.Ok);
        Assert.Equal(Rs, ip.Destination);
        Assert.Equal(8080, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(ip.Payload[2..]));

        // Out: the server's reply is found by the out tuple and its source becomes the VIP.
        byte[] reply = FromServer(TcpSegment.Ack);
        v = Send(_backup, reply, 1002);
        Assert.Equal(VerdictKind.Forward, v.Kind);
        Assert.Equal(Client, v.NextHop);
        Assert.True(Ipv4Packet.TryCreate(reply.AsSpan(14), out ip) == Ipv4ParseResult.Ok);
        Assert.Equal(Vip, ip.Source);
        Assert.Equal(80, System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(ip.Payload));
        Assert.True(PacketBuilder.TransportChecksumValid(reply));

        RealServer rs = _backup.Services.Lookup(GoldenPackets.TcpService)!.Destinations[0];
        Assert.Equal((1, 0), (rs.Counters.ActiveConns, rs.Counters.InactiveConns));
    }

    [Fact]
    public void Install_EntryTimeout_ExpiresOnTheBackupClock()
    {
        EstablishOnMaster();
        SyncEntry e = MasterEntries()[0];
        e.TimeoutSeconds = 10;
        Assert.Equal(SyncDropReason.None, SyncMapping.Install(e, _backup.Connections, _backup.Services, 5_000));

        _backup.Tick(14_900);
        Assert.Equal(1, _backup.Connections.Count);
        _backup.Tick(15_100);
        Assert.Equal(0, _backup.Connections.Count);
    }

    [Fact]
    public void Install_Update_MovesStateAndCounts()
    {
        EstablishOnMaster();
        SyncEntry e = MasterEntries()[0];
        SyncMapping.Install(e, _backup.Connections, _backup.Services, 0);
        e.State = (ushort)TcpState.FinWait;
        e.Flags |= IpvsConnFlags.Inactive;
        e.TimeoutSeconds = 120;

        Assert.Equal(SyncDropReason.None, SyncMapping.Install(e, _backup.Connections, _backup.Services, 100));

        Assert.Equal(1, _backup.Connections.Count);
        Assert.True(_backup.Connections.TryFind(IpProtocol.Tcp, Client, 40000, Vip, 80, out int i, out _));
        Assert.Equal(TcpState.FinWait, _backup.Connections[i].State);
        RealServer rs = _backup.Services.Lookup(GoldenPackets.TcpService)!.Destinations[0];
        Assert.Equal((0, 1), (rs.Counters.ActiveConns, rs.Counters.InactiveConns));
    }

    [Fact]
    public void Install_UnknownServerOrService_DroppedAndTableUntouched()
    {
        EstablishOnMaster();
        SyncEntry e = MasterEntries()[0];
        SyncEntry noDest = e;
        noDest.DestAddress = Ipv6Address.FromIPv4(Rs + 1);
        SyncEntry noService = e;
        noService.VirtualPort = 81;
        SyncEntry v6 = e;
        v6.IsIPv6 = true;

        SyncMapping.InstallBatch([noDest, noService, v6], _backup.Connections, _backup.Services, 0, _counters);

        Assert.Equal(0, _backup.Connections.Count);
        Assert.Equal(1, _counters.Dropped(SyncDropReason.NoDest));
        Assert.Equal(1, _counters.Dropped(SyncDropReason.NoService));
        Assert.Equal(1, _counters.Dropped(SyncDropReason.UnsupportedFamily));
    }

    [Fact]
    public void Install_StaleExpiryForReplacedTuple_Ignored()
    {
        EstablishOnMaster();
        SyncEntry e = MasterEntries()[0];
        SyncMapping.Install(e, _backup.Connections, _backup.Services, 0);
        _backup.Services.AddServer(GoldenPackets.TcpService, Rs + 1, 8080, ForwardMethod.Masquerade, 1);
        SyncEntry old = e;
        old.DestAddress = Ipv6Address.FromIPv4(Rs + 1);
        old.Flags |= IpvsConnFlags.Inactive;

        SyncMapping.Install(old, _backup.Connections, _backup.Services, 1);
        Assert.True(_backup.Connections.TryFind(IpProtocol.Tcp, Client, 40000, Vip, 80, out int i, out _));
        Assert.Equal(Rs, _backup.Connections[i].DestAddress);

        old.Flags &= ~IpvsConnFlags.Inactive; // an active entry for another server: the master rescheduled
        SyncMapping.Install(old, _backup.Connections, _backup.Services, 2);
        Assert.True(_backup.Connections.TryFind(IpProtocol.Tcp, Client, 40000, Vip, 80, out i, out _));
        Assert.Equal(Rs + 1, _backup.Connections[i].DestAddress);
        Assert.Equal(1, _backup.Connections.Count);
    }

    [Fact]
    public void InstallBatch_PersistentConnectionBeforeItsTemplate_Linked()
    {
        var services = new ServiceTable(1);
        var key = GoldenPackets.TcpService;
        services.AddService(key, new ServiceSettings("rr", Persistent: true, PersistenceTimeoutMs: 360_000));
        services.AddServer(key, Rs, 8080, ForwardMethod.Masquerade, 1);
        var master = new Director(services);
        master.Process(FromClient(TcpSegment.Syn), new PacketMeta(), 0);
        var masterEntries = new List<SyncEntry>();
        for (int i = 0; i < master.Connections.HighWater; i++)
        {
            SyncMapping.ToEntry(ref master.Connections[i], out SyncEntry e);
            masterEntries.Add(e);
        }

        masterEntries.Sort((a, b) => a.IsTemplate.CompareTo(b.IsTemplate)); // connection first, as ip_vs sends them
        var backupServices = new ServiceTable(1);
        backupServices.AddService(key, new ServiceSettings("rr", Persistent: true, PersistenceTimeoutMs: 360_000));
        backupServices.AddServer(key, Rs, 8080, ForwardMethod.Masquerade, 1);
        var backup = new ConnectionTable();

        SyncMapping.InstallBatch(masterEntries.ToArray(), backup, backupServices, 0, _counters);

        Assert.Equal(2, backup.Count);
        Assert.True(backup.TryFind(IpProtocol.Tcp, Client, 40000, Vip, 80, out int conn, out _));
        int template = backup.ControlOf(conn);
        Assert.True(template >= 0);
        Assert.True(backup[template].IsTemplate);
        Assert.Equal(360_000, backup[template].Timeout);
    }
}
