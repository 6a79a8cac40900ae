using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using Lvs.Core;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Bench;

/// <summary>
/// The whole new-connection path per scheduler: a 54-byte SYN from a fresh client port through
/// <see cref="Director.Process"/> (service lookup, scheduling over 100 masquerading servers of
/// weights 1..100, entry created, rewrite), as <see cref="NatEstablishedBenchmark.NewConnection"/>
/// does over 2 servers. The simulated clock advances 1 ms per op with a timer tick every 100
/// ops, so SYN_RECV entries expire after 60 s of it and the table stays near a steady size.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class NewConnectionBenchmark
{
    private const int Servers = 100;
    private static readonly uint Vip = Ipv4.Parse("192.0.2.10");

    private readonly byte[] _frame = new byte[128];
    private Director _director = null!;
    private byte[] _syn = null!;
    private ushort _synTcpChecksum;
    private ushort _synIpChecksum;
    private int _next;
    private long _clock;

    [Params("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos")]
    public string Scheduler { get; set; } = "wlc";

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceTable(1);
        var key = new ServiceKey(IpProtocol.Tcp, Vip, 80);
        if (services.AddService(key, Scheduler) != TableResult.Ok)
        {
            throw new InvalidOperationException("service setup failed");
        }

        for (int i = 0; i < Servers; i++)
        {
            if (services.AddServer(key, 0x0A000000u + 11 + (uint)i, 8080, ForwardMethod.Masquerade, 1 + i) != TableResult.Ok)
            {
                throw new InvalidOperationException("server setup failed");
            }
        }

        _director = new Director(services);
        _syn = PacketBuilder.Tcp(Ipv4.Parse("198.51.100.128"), 1024, Vip, 80, TcpSegment.Syn);
        _synIpChecksum = BinaryPrimitives.ReadUInt16BigEndian(_syn.AsSpan(14 + 10));
        _synTcpChecksum = BinaryPrimitives.ReadUInt16BigEndian(_syn.AsSpan(14 + 20 + 16));
        _next = 0;
        _clock = 1_000;
        if (NewConnection().Kind != VerdictKind.Forward)
        {
            throw new InvalidOperationException("SYN was not forwarded");
        }
    }

    [Benchmark]
    public Verdict NewConnection()
    {
        int n = _next++;
        // 60,000 ports on each of 256 client addresses: a tuple comes back after 15 M ops.
        uint client = 0xC6336400u + (uint)((n / 60_000) & 0xFF);
        ushort port = (ushort)(1024 + (n % 60_000));
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
}
