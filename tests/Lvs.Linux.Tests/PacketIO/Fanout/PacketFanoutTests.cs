using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Lvs.Linux.PacketIO;
using Lvs.Linux.PacketIO.Fanout;
using Lvs.Linux.Steering;

namespace Lvs.Linux.Tests.PacketIO.Fanout;

/// <summary>The program attached to a real fanout group, in namespaces the test makes (needs root).</summary>
public class PacketFanoutTests
{
    private const int Flows = 32;

    [RootFact]
    public void SetProgram_FlowsFromClientPorts_EachReachesTheRingTheReferenceNames()
    {
        // B plays the client: its source port picks the ring in A.
        RunFlows(natServerPort: null, (udp, i) => udp.SendTo(Payload, new IPEndPoint(VethPair.AddressA, 20000 + i)),
            bindPort: i => (ushort)(30000 + i), clientOf: (sport, dport) => (VethPair.AddressB, sport));
    }

    [RootFact]
    public void SetProgram_RepliesFromNatServer_EachReachesTheRingOfItsClient()
    {
        // B plays a NAT real server answering from port 7000: the client is A, the destination.
        RunFlows(natServerPort: 7000, (udp, i) => udp.SendTo(Payload, new IPEndPoint(VethPair.AddressA, 20000 + i)),
            bindPort: _ => 7000, clientOf: (sport, dport) => (VethPair.AddressA, dport));
    }

    [RootFact]
    public void SetProgram_LongestChains_KernelAcceptsThem()
    {
        using var pair = VethPair.Create();
        using var ring = NetNs.Run(pair.A.Name, () => PacketRing.Open("veth0"));
        _ = PacketFanout.Create(ring);
        var servers = Enumerable.Range(1, 200).Select(i => new SteeredEndpoint(
            i % 2 == 0 ? new IPAddress([10, 0, 0, (byte)i]) : IPAddress.Parse($"fd00::{i:x}"), SteeringProtocol.Tcp, (ushort)(i % 3 == 0 ? 0 : 80)));
        FanoutProgram big = FanoutProgram.Build(servers);
        FanoutProgram fallback = FanoutProgram.Build(Enumerable.Range(0, 2000).Select(i =>
            new SteeredEndpoint(new IPAddress([10, 1, (byte)(i >> 8), (byte)i]), SteeringProtocol.Tcp, 80)));

        Assert.True(big.RepliesSteered);
        Assert.True(big.Instructions.Length > 1000, $"{big.Instructions.Length} instructions");
        PacketFanout.SetProgram(ring, big.Instructions);
        PacketFanout.SetProgram(ring, fallback.Instructions);
        PacketFanout.SetProgram(ring, FanoutProgram.Build(servers, FanoutKey.For([0xFFFF_FF00], [56])).Instructions);
        Assert.Throws<ArgumentException>(() => PacketFanout.SetProgram(ring, []));
    }

    private static readonly byte[] Payload = "lvs-fanout-test"u8.ToArray();

    private static void RunFlows(ushort? natServerPort, Action<Socket, int> send, Func<int, ushort> bindPort,
        Func<ushort, ushort, (IPAddress Address, ushort Port)> clientOf)
    {
        using var pair = VethPair.Create();
        using var ring0 = NetNs.Run(pair.A.Name, () => PacketRing.Open("veth0"));
        using var ring1 = NetNs.Run(pair.A.Name, () => PacketRing.Open("veth0"));
        ushort group = PacketFanout.Create(ring0);
        PacketFanout.Join(ring1, group);
        SteeredEndpoint[] nat = natServerPort is { } p ? [new SteeredEndpoint(VethPair.AddressB, SteeringProtocol.Udp, p)] : [];
        PacketFanout.SetProgram(ring0, FanoutProgram.Build(nat).Instructions);

        // Sequential sends: one socket at a time, since the reply case reuses one source port.
        _ = NetNs.Run(pair.B.Name, () =>
        {
            for (int i = 0; i < Flows; i++)
            {
                // SO_REUSEADDR: the reply case binds the same port again right after closing it.
                using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                udp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                udp.Bind(new IPEndPoint(VethPair.AddressB, bindPort(i)));
                send(udp, i);
                Thread.Sleep(2);
            }

            return 0;
        });

        var rings = new[] { ring0, ring1 };
        var captures = new[] { new Capture(keepBytes: true), new Capture(keepBytes: true) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < deadline && captures.Sum(c => Ours(c).Count()) < Flows)
        {
            for (int r = 0; r < 2; r++)
            {
                rings[r].Drain(ref captures[r], 4096);
            }

            Thread.Sleep(5);
        }

        var perRing = new int[2];
        for (int r = 0; r < 2; r++)
        {
            foreach (byte[] frame in Ours(captures[r]))
            {
                ushort sport = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(34));
                ushort dport = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(36));
                (IPAddress client, ushort clientPort) = clientOf(sport, dport);
                Assert.Equal(FanoutHash.WorkerOf(FanoutFrames.Word(client), clientPort, 2), r);
                perRing[r]++;
            }
        }

        Assert.Equal(Flows, perRing.Sum());
        Assert.All(perRing, n => Assert.InRange(n, 4, Flows - 4));
    }

    private static IEnumerable<byte[]> Ours(Capture capture) =>
        capture.Frames.Select(f => f.Bytes!).Where(b => b.Length > 42 && b[23] == 17 && b.AsSpan(42).StartsWith(Payload));
}
