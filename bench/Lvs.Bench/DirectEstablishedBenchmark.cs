using BenchmarkDotNet.Attributes;
using Lvs.Core;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Core.Tests.TestSupport;

namespace Lvs.Bench;

/// <summary>
/// The established-flow hot path for direct routing (-g) and IPIP tunnelling (-i): one worker,
/// 100,000 connections in the table, one 64-byte client PSH-ACK per op restored from its template
/// (a 64-byte copy, included). DR ends at the verdict (the Linux layer then only swaps MACs);
/// TUN also wraps the packet with <see cref="TunnelEncoder.Send"/> into a preallocated buffer.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class DirectEstablishedBenchmark
{
    private const int TableConnections = 100_000;
    private const long Now = 1_000;
    private static readonly uint Vip = Ipv4.Parse("192.0.2.10");
    private static readonly uint Client = Ipv4.Parse("198.51.100.2");
    private static readonly uint Server = Ipv4.Parse("203.0.113.11");
    private static readonly uint DirectorAddress = Ipv4.Parse("192.0.2.2");

    private readonly byte[] _frame = new byte[128];
    private readonly byte[] _scratch = new byte[70_000];
    private Director _director = null!;
    private byte[] _data = null!;
    private BufferSink _sink;
    private ushort _ipId;

    [Params("dr", "tun")]
    public string Method { get; set; } = "dr";

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceTable(1);
        var key = new ServiceKey(IpProtocol.Tcp, Vip, 80);
        ForwardMethod method = Method == "dr" ? ForwardMethod.DirectRoute : ForwardMethod.Tunnel;
        Check(services.AddService(key, "rr"));
        Check(services.AddServer(key, Server, 80, method, 1, new TunnelSpec(TunnelType.IpIp, 0, TunnelChecksum.NoChecksum)));
        _director = new Director(services);
        _sink = new BufferSink(new byte[2048]);

        for (int n = 0; n < TableConnections; n++)
        {
            byte[] syn = PacketBuilder.Tcp(0xC6336400u + 10 + (uint)(n / 60_000), (ushort)(1024 + (n % 60_000)), Vip, 80, TcpSegment.Syn);
            Expect(_director.Process(syn, default, 0));
        }

        // The measured flow: SYN then ACK, so it is ESTABLISHED in the INPUT-ONLY table.
        Expect(_director.Process(PacketBuilder.Tcp(Client, 40000, Vip, 80, TcpSegment.Syn, seq: 1), default, 0));
        Expect(_director.Process(PacketBuilder.Tcp(Client, 40000, Vip, 80, TcpSegment.Ack, seq: 2, ack: 2), default, 0));
        _data = PacketBuilder.Tcp(Client, 40000, Vip, 80, TcpSegment.Psh | TcpSegment.Ack, seq: 2, ack: 2);
        if (_data.Length > 64)
        {
            throw new InvalidOperationException($"data frame is {_data.Length} bytes, expected at most 64");
        }

        Verdict v = Established();
        Expect(v);
        if (Method == "tun" && _sink.Committed != 20 + _data.Length - 14)
        {
            throw new InvalidOperationException($"tunnel wrote {_sink.Committed} bytes");
        }
    }

    [Benchmark]
    public Verdict Established()
    {
        _data.AsSpan().CopyTo(_frame);
        Span<byte> frame = _frame.AsSpan(0, _data.Length);
        Verdict v = _director.Process(frame, default, Now);
        if (v.Kind == VerdictKind.Tunnel)
        {
            TunnelSpec spec = v.Tunnel;
            TunnelEncoder.Send(ref _sink, frame[14..], false, 0, spec, DirectorAddress, v.NextHop.V4, 1500, ref _ipId, _scratch);
        }

        return v;
    }

    private static void Check(TableResult result)
    {
        if (result != TableResult.Ok)
        {
            throw new InvalidOperationException($"service setup failed: {result}");
        }
    }

    private static void Expect(Verdict v)
    {
        if (v.Kind is not (VerdictKind.Forward or VerdictKind.Tunnel) || v.NextHop != Server)
        {
            throw new InvalidOperationException($"unexpected verdict {v}");
        }
    }

    /// <summary>A transmit queue of one slot, reused: what a ring slot costs without the ring.</summary>
    private struct BufferSink(byte[] buffer) : IFrameSink
    {
        public int Committed;

        public readonly Span<byte> Reserve(int ipLength) => ipLength <= buffer.Length ? buffer.AsSpan(0, ipLength) : default;

        public void Commit(int ipLength) => Committed = ipLength;
    }
}
