using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Lvs.Core;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.Forwarding;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Bench;

/// <summary>
/// The NAT hot path of one worker: a table of 100,000 connections (made by SYNs from distinct
/// client ports and addresses) and one 64-byte frame of an established flow rewritten per op,
/// restored from its template first (a 64-byte copy, included in the figure).
/// <see cref="NewConnection"/> is the secondary figure: a SYN from a fresh client port, rr over 2 servers.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class NatEstablishedBenchmark
{
    private const int TableConnections = 100_000;
    private const long Now = 1_000;

    private readonly byte[] _frame = new byte[128];
    private Director _director = null!;
    private byte[] _inbound = null!;
    private byte[] _outbound = null!;
    private byte[] _syn = null!;
    private ushort _synTcpChecksum;
    private ushort _synIpChecksum;
    private int _next;
    private long _clock;

    [GlobalSetup]
    public void Setup()
    {
        ServiceTable services = GoldenPackets.CreateServices();
        _director = new Director(services);

        // The measured flow first, while 10.0.0.11 is the only server, as the golden outputs expect;
        // then the second server for the table's connections and the new-connection benchmark.
        foreach (GoldenPacket g in GoldenPackets.TcpFlow)
        {
            Expect(g.NextHop, _director.Process(g.Input, default, 0));
        }

        services.AddServer(GoldenPackets.TcpService, Ipv4.Parse("10.0.0.12"), 8080, ForwardMethod.Masquerade, 1);

        for (int n = 0; n < TableConnections; n++)
        {
            (uint client, ushort port) = Tuple(n);
            byte[] syn = PacketBuilder.Tcp(client, port, GoldenPackets.VipAddress, 80, TcpSegment.Syn);
            if (_director.Process(syn, default, 0).Kind != VerdictKind.Forward)
            {
                throw new InvalidOperationException("setup SYN was not forwarded");
            }
        }

        _inbound = GoldenPackets.TcpClientData.Input;
        _outbound = GoldenPackets.TcpServerData.Input;
        _syn = PacketBuilder.Tcp(Ipv4.Parse("198.51.100.128"), 1024, GoldenPackets.VipAddress, 80, TcpSegment.Syn);
        _synIpChecksum = BinaryPrimitives.ReadUInt16BigEndian(_syn.AsSpan(14 + 10));
        _synTcpChecksum = BinaryPrimitives.ReadUInt16BigEndian(_syn.AsSpan(14 + 20 + 16));
        _next = 0;
        _clock = Now;

        // Check once that the measured op rewrites to the golden bytes.
        Expect(GoldenPackets.TcpClientData.NextHop, Inbound());
        if (!_frame.AsSpan(0, _inbound.Length).SequenceEqual(GoldenPackets.TcpClientData.Output))
        {
            throw new InvalidOperationException("inbound rewrite differs from the golden output");
        }
    }

    [Benchmark]
    public Verdict Inbound()
    {
        _inbound.AsSpan().CopyTo(_frame);
        return _director.Process(_frame.AsSpan(0, 64), default, Now);
    }

    [Benchmark]
    public Verdict Outbound()
    {
        _outbound.AsSpan().CopyTo(_frame);
        return _director.Process(_frame.AsSpan(0, 64), default, Now);
    }

    /// <summary>
    /// A SYN from a client port not seen for at least 60 s of the simulated clock, which advances
    /// 1 ms per op with a timer tick every 100 ops, so SYN_RECV entries expire and the table stays
    /// near its steady size instead of growing for the whole run.
    /// </summary>
    [Benchmark]
    public Verdict NewConnection()
    {
        int n = _next++;
        (uint client, ushort port) = Tuple(TableConnections + (n % 4_000_000));
        _syn.AsSpan(0, 54).CopyTo(_frame);
        Span<byte> ip = _frame.AsSpan(14);
        uint oldClient = BinaryPrimitives.ReadUInt32BigEndian(ip[12..]);
        BinaryPrimitives.WriteUInt32BigEndian(ip[12..], client);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum.Update(_synIpChecksum, oldClient, client));
        BinaryPrimitives.WriteUInt16BigEndian(ip[20..], port);
        ushort tcp = Checksum.Update(Checksum.Update(_synTcpChecksum, oldClient, client), (ushort)1024, port);
        BinaryPrimitives.WriteUInt16BigEndian(ip[36..], tcp);

        long now = ++_clock;
        if (n % 100 == 0)
        {
            _director.Tick(now);
        }

        return _director.Process(_frame.AsSpan(0, 54), default, now);
    }

    /// <summary>Distinct (client, port) pairs: 60,000 ports per client address from 198.51.100.10 (0xC6336400 + 10) up.</summary>
    private static (uint Client, ushort Port) Tuple(int n) =>
        (0xC6336400u + 10 + (uint)(n / 60_000), (ushort)(1024 + (n % 60_000)));

    private static void Expect(uint nextHop, Verdict v)
    {
        if (v.Kind != VerdictKind.Forward || v.NextHop != nextHop)
        {
            throw new InvalidOperationException($"unexpected verdict {v}");
        }
    }
}
