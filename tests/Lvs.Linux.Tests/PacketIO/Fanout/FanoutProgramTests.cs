using System.Net;
using Lvs.Linux.PacketIO.Fanout;
using Lvs.Linux.Steering;

namespace Lvs.Linux.Tests.PacketIO.Fanout;

public class FanoutProgramTests
{
    private static readonly IPAddress Client4 = IPAddress.Parse("198.51.100.5");
    private static readonly IPAddress Vip4 = IPAddress.Parse("192.0.2.10");
    private static readonly IPAddress Rs4 = IPAddress.Parse("10.0.0.2");
    private static readonly IPAddress Client6 = IPAddress.Parse("2001:db8:c::5");
    private static readonly IPAddress Vip6 = IPAddress.Parse("2001:db8:a::10");

    // Same last 32 bits as Client6: only a full 128-bit comparison tells them apart.
    private static readonly IPAddress Rs6 = IPAddress.Parse("fd00::5");

    private static FanoutProgram NatProgram(ushort rsPort = 80) => FanoutProgram.Build(
    [
        new SteeredEndpoint(Rs4, SteeringProtocol.Tcp, rsPort),
        new SteeredEndpoint(Rs6, SteeringProtocol.Tcp, rsPort),
    ]);

    [Fact]
    public unsafe void Layout_SockFilterAndSockFprog_MatchLinuxFilterH()
    {
        // struct sock_filter is 8 bytes; struct sock_fprog is { u16 len; pad; ptr } = 16 on 64-bit.
        Assert.Equal(8, sizeof(CbpfInstruction));
        Assert.Equal(16, sizeof(Lvs.Linux.Interop.Packet.SockFprog));
        Assert.Equal(8, (int)System.Runtime.InteropServices.Marshal.OffsetOf<Lvs.Linux.Interop.Packet.SockFprog>("Filter"));
    }

    [Fact]
    public void Build_NoServers_EncodesProtocolDispatchAndHash()
    {
        CbpfInstruction[] p = FanoutProgram.Build([]).Instructions;

        Assert.Equal(new CbpfInstruction(0x00, 0, 0, 0), p[0]);                    // ld #0
        Assert.Equal(new CbpfInstruction(0x02, 0, 0, 0), p[1]);                    // st M[0]
        Assert.Equal(new CbpfInstruction(0x02, 0, 0, 1), p[2]);                    // st M[1]
        Assert.Equal(new CbpfInstruction(0x20, 0, 0, 0xFFFFF000), p[3]);           // ld proto
        Assert.Equal(0x15, p[4].Code);                                             // jeq #0x800
        Assert.Equal(0x800u, p[4].K);
        Assert.Equal(new CbpfInstruction(0x05, 0, 0, p[6].K), p[6]);                // ja v6
        Assert.Equal(new CbpfInstruction(0x06, 0, 0, 0), p[7]);                    // ret #0
        Assert.Equal(new CbpfInstruction(0x20, 0, 0, 0xFFF0000C), p[4 + p[4].Jt + 1]); // v4: ld [net+12]
        Assert.Equal(new CbpfInstruction(0x24, 0, 0, FanoutHash.AddressMultiplier), p[^9]);
        Assert.Equal(new CbpfInstruction(0xAC, 0, 0, 0), p[^8]);                   // xor x
        Assert.Equal(new CbpfInstruction(0x16, 0, 0, 0), p[^1]);                   // ret a
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Run_RequestAndNatReplyV4_SameWorkerAsReference(int workers)
    {
        CbpfInstruction[] p = NatProgram().Instructions;
        for (ushort port = 32768; port < 32768 + 200; port++)
        {
            uint request = CbpfInterpreter.Run(p, FanoutFrames.Build(Client4, port, Vip4, 80));
            uint reply = CbpfInterpreter.Run(p, FanoutFrames.Build(Rs4, 80, Client4, port));
            int expected = FanoutHash.WorkerOf(FanoutFrames.Word(Client4), port, workers);
            Assert.Equal(expected, (int)(request % (uint)workers));
            Assert.Equal(expected, (int)(reply % (uint)workers));
        }
    }

    [Fact]
    public void Run_RequestAndNatReplyV6_SameHashAsReference()
    {
        CbpfInstruction[] p = NatProgram().Instructions;
        for (ushort port = 40000; port < 40100; port++)
        {
            uint expected = FanoutHash.Hash(FanoutFrames.Word(Client6), port);
            Assert.Equal(expected, CbpfInterpreter.Run(p, FanoutFrames.Build(Client6, port, Vip6, 80)));
            Assert.Equal(expected, CbpfInterpreter.Run(p, FanoutFrames.Build(Rs6, 80, Client6, port)));
        }
    }

    [Fact]
    public void Run_ClientSharingLow32WithRealServer_HashedAsClient()
    {
        CbpfInstruction[] p = FanoutProgram.Build([new SteeredEndpoint(Rs6, SteeringProtocol.Tcp, 0)]).Instructions;

        Assert.Equal(FanoutHash.Hash(FanoutFrames.Word(Client6), 50000),
            CbpfInterpreter.Run(p, FanoutFrames.Build(Client6, 50000, Vip6, 80)));
    }

    [Fact]
    public void Run_PortZeroEntry_EveryPortOfTheServerIsAReply()
    {
        CbpfInstruction[] p = FanoutProgram.Build(
        [
            new SteeredEndpoint(Rs4, SteeringProtocol.Tcp, 0),
            new SteeredEndpoint(Rs4, SteeringProtocol.Tcp, 80),
        ]).Instructions;

        Assert.Equal(FanoutHash.Hash(FanoutFrames.Word(Client4), 33000),
            CbpfInterpreter.Run(p, FanoutFrames.Build(Rs4, 8443, Client4, 33000)));
    }

    [Fact]
    public void Run_OtherPortOfRealServer_HashedBySource()
    {
        CbpfInstruction[] p = NatProgram().Instructions;

        Assert.Equal(FanoutHash.Hash(FanoutFrames.Word(Rs4), 5000),
            CbpfInterpreter.Run(p, FanoutFrames.Build(Rs4, 5000, Client4, 33000)));
    }

    [Fact]
    public void Run_Ipv4Options_PortsReadAfterOptions()
    {
        CbpfInstruction[] p = NatProgram().Instructions;

        Assert.Equal(FanoutHash.Hash(FanoutFrames.Word(Client4), 41000),
            CbpfInterpreter.Run(p, FanoutFrames.Build(Client4, 41000, Vip4, 80, ipv4Options: 8)));
        Assert.Equal(FanoutHash.Hash(FanoutFrames.Word(Client4), 41000),
            CbpfInterpreter.Run(p, FanoutFrames.Build(Rs4, 80, Client4, 41000, ipv4Options: 8)));
    }

    [Theory]
    [InlineData((byte)1, (ushort)0)]       // ICMP: no ports
    [InlineData((byte)17, (ushort)0x00B9)] // a UDP fragment after the first
    public void Run_NoPorts_HashedWithPortZero(byte protocol, ushort fragment)
    {
        CbpfInstruction[] p = NatProgram().Instructions;

        Assert.Equal(FanoutHash.Hash(FanoutFrames.Word(Client4), 0),
            CbpfInterpreter.Run(p, FanoutFrames.Build(Client4, 1234, Vip4, 80, protocol, fragment: fragment)));
    }

    [Fact]
    public void Run_UdpAndSctp_PortsRead()
    {
        CbpfInstruction[] p = NatProgram().Instructions;

        Assert.Equal(FanoutHash.Hash(FanoutFrames.Word(Client4), 999),
            CbpfInterpreter.Run(p, FanoutFrames.Build(Client4, 999, Vip4, 53, protocol: 17)));
        Assert.Equal(FanoutHash.Hash(FanoutFrames.Word(Client6), 999),
            CbpfInterpreter.Run(p, FanoutFrames.Build(Client6, 999, Vip6, 53, protocol: 132)));
    }

    [Fact]
    public void Run_ArpOrTruncated_ReturnsZero()
    {
        CbpfInstruction[] p = NatProgram().Instructions;
        byte[] arp = new byte[42];
        arp[12] = 0x08;
        arp[13] = 0x06;
        byte[] whole = FanoutFrames.Build(Client4, 1000, Vip4, 80);

        Assert.Equal(0u, CbpfInterpreter.Run(p, arp));
        Assert.Equal(0u, CbpfInterpreter.Run(p, whole.AsSpan(0, 14 + 20 + 1)));
    }

    [Fact]
    public void Build_TooManyServers_FallsBackToSourceHash()
    {
        var many = Enumerable.Range(0, 2000)
            .Select(i => new SteeredEndpoint(new IPAddress([10, 0, (byte)(i >> 8), (byte)i]), SteeringProtocol.Tcp, 80))
            .ToList();

        FanoutProgram program = FanoutProgram.Build(many);

        Assert.False(program.RepliesSteered);
        Assert.True(program.Instructions.Length <= Cbpf.MaxInstructions);
        Assert.Equal(FanoutHash.Hash(0x0A000002, 80),
            CbpfInterpreter.Run(program.Instructions, FanoutFrames.Build(Rs4, 80, Client4, 40000)));
    }

    [Fact]
    public void Build_HundredServers_LongChainStillSteersReplies()
    {
        var servers = Enumerable.Range(1, 100)
            .Select(i => new SteeredEndpoint(new IPAddress([10, 0, 0, (byte)i]), SteeringProtocol.Tcp, 80))
            .ToList();

        FanoutProgram program = FanoutProgram.Build(servers);

        Assert.True(program.RepliesSteered);
        Assert.Equal(FanoutHash.Hash(FanoutFrames.Word(Client4), 40000),
            CbpfInterpreter.Run(program.Instructions, FanoutFrames.Build(IPAddress.Parse("10.0.0.100"), 80, Client4, 40000)));
    }

    [Fact]
    public void WorkerOf_ManyClients_SpreadsEvenly()
    {
        int[] counts = new int[2];
        for (uint i = 0; i < 4000; i++)
        {
            counts[FanoutHash.WorkerOf(0xC6336400 + (i % 250), (ushort)(32768 + (i * 7)), 2)]++;
        }

        Assert.InRange(counts[0], 1800, 2200);
    }

    [Fact]
    public void Run_PersistentKeyV4_ClientNetworkHashedWithoutPorts()
    {
        var key = FanoutKey.For([0xFFFF_FF00], []);
        CbpfInstruction[] p = FanoutProgram.Build([new SteeredEndpoint(Rs4, SteeringProtocol.Tcp, 80)], key).Instructions;
        uint expected = FanoutHash.Hash(FanoutFrames.Word(Client4, key), 0);

        // Every port of every client in 198.51.100.0/24, both directions, hashes alike.
        foreach (IPAddress client in new[] { Client4, IPAddress.Parse("198.51.100.200") })
        {
            for (ushort port = 40000; port < 40050; port++)
            {
                Assert.Equal(expected, CbpfInterpreter.Run(p, FanoutFrames.Build(client, port, Vip4, 80)));
                Assert.Equal(expected, CbpfInterpreter.Run(p, FanoutFrames.Build(Rs4, 80, client, port)));
            }
        }

        Assert.NotEqual(expected, CbpfInterpreter.Run(p, FanoutFrames.Build(IPAddress.Parse("198.51.101.5"), 40000, Vip4, 80)));
    }

    [Theory]
    [InlineData(128)]
    [InlineData(64)]
    [InlineData(56)]
    [InlineData(0)]
    public void Run_PersistentKeyV6_PrefixHashedWithoutPorts(int prefix)
    {
        var key = FanoutKey.For([], [prefix]);
        CbpfInstruction[] p = FanoutProgram.Build([new SteeredEndpoint(Rs6, SteeringProtocol.Tcp, 80)], key).Instructions;
        IPAddress sameNet = prefix == 128 ? Client6 : IPAddress.Parse("2001:db8:c::77:5");
        uint expected = FanoutHash.Hash(FanoutFrames.Word(Client6, key), 0);

        Assert.Equal(expected, FanoutHash.Hash(FanoutFrames.Word(sameNet, key), 0));
        Assert.Equal(expected, CbpfInterpreter.Run(p, FanoutFrames.Build(Client6, 40001, Vip6, 80)));
        Assert.Equal(expected, CbpfInterpreter.Run(p, FanoutFrames.Build(sameNet, 40002, Vip6, 80)));
        Assert.Equal(expected, CbpfInterpreter.Run(p, FanoutFrames.Build(Rs6, 80, sameNet, 40003)));
        Assert.Equal((uint)FanoutHash.WorkerOf(Client6.GetAddressBytes(), 40001, key, 3), expected % 3);
    }

    [Fact]
    public void Run_DefaultKeyV6_ClientsDifferingOnlyInUpperBitsSpread()
    {
        // Same interface identifier in 64 different /64s: the folded word tells them apart.
        CbpfInstruction[] p = FanoutProgram.Build([]).Instructions;
        var workers = Enumerable.Range(0, 64)
            .Select(i => CbpfInterpreter.Run(p, FanoutFrames.Build(IPAddress.Parse($"2001:db8:{i:x}::1"), 40000, Vip6, 80)) % 2)
            .Distinct()
            .Count();

        Assert.Equal(2, workers);
    }

    [Fact]
    public void For_Masks_WidestMaskShortestPrefixNoPorts()
    {
        Assert.Equal(FanoutKey.Connection, FanoutKey.For([], []));
        Assert.True(FanoutKey.Connection.Ports);
        Assert.Equal(new FanoutKey(false, 0xFFFF_0000, 48), FanoutKey.For([0xFFFF_FF00, 0xFFFF_0000], [64, 48, 128]));
        Assert.Equal(new FanoutKey(false, 0xFFFF_FFFF, 128), FanoutKey.For([0xFFFF_FFFF], []));
        Assert.Equal(0xFFFF_FF00u, new FanoutKey(false, 0, 56).Mask6Word(1));
        Assert.Equal(0u, new FanoutKey(false, 0, 56).Mask6Word(2));
    }
}
