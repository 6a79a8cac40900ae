using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Lvs.Health.Tests.TestSupport;

namespace Lvs.Health.Tests.Checks;

public class DnsCheckTests
{
    /// <summary>A UDP server on 127.0.0.1 that answers each query with what <c>reply</c> makes of it (null: silence).</summary>
    private sealed class FakeDnsServer : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly CancellationTokenSource _stop = new();

        public FakeDnsServer(Func<byte[], byte[]?> reply)
        {
            _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _ = Task.Run(async () =>
            {
                var buffer = new byte[4096];
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        var r = await _socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                        if (reply(buffer[..r.ReceivedBytes]) is { } answer)
                        {
                            await _socket.SendToAsync(answer, r.RemoteEndPoint, _stop.Token);
                        }
                    }
                    catch (Exception)
                    {
                        return;
                    }
                }
            });
        }

        public CheckTarget Target => new(IPAddress.Loopback, (ushort)((IPEndPoint)_socket.LocalEndPoint!).Port);

        public void Dispose()
        {
            _stop.Cancel();
            _socket.Dispose();
        }
    }

    /// <summary>The query turned into a NOERROR reply with one A record.</summary>
    private static byte[] ValidReply(byte[] query, int rcode = 0)
    {
        var answer = new byte[] { 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1 };
        var reply = new byte[query.Length + answer.Length];
        query.CopyTo(reply, 0);
        answer.CopyTo(reply, query.Length);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(2), (ushort)(0x8180 | rcode));
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(6), 1);
        return reply;
    }

    private static IHealthCheck Create(CheckTarget target, double timeout = 3)
    {
        var block = Blocks.Parse($"DNS_CHECK {{\ntype A\nname www.example.com\nconnect_timeout {timeout}\n}}");
        Assert.True(CheckerFactory.TryCreate(block, target, TimeSpan.FromSeconds(1), out var check, out var error), error);
        return check!;
    }

    [Fact]
    public async Task RunAsync_ValidReply_Up()
    {
        byte[]? seen = null;
        using var server = new FakeDnsServer(q => ValidReply(seen = q));
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
        // Question: www.example.com A IN, recursion desired.
        Assert.Equal([3, .. "www"u8, 7, .. "example"u8, 3, .. "com"u8, 0, 0, 1, 0, 1], seen![12..]);
        Assert.Equal(0x0100, BinaryPrimitives.ReadUInt16BigEndian(seen.AsSpan(2)));
    }

    [Fact]
    public async Task RunAsync_WrongId_Down()
    {
        using var server = new FakeDnsServer(q =>
        {
            var reply = ValidReply(q);
            reply[0] ^= 0x5a;
            return reply;
        });
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Equal("reply id does not match the query", result.Reason);
    }

    [Fact]
    public async Task RunAsync_Garbage_Down()
    {
        using var server = new FakeDnsServer(_ => "garbage, not DNS at all"u8.ToArray());
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
    }

    [Fact]
    public async Task RunAsync_ShortReply_Down()
    {
        using var server = new FakeDnsServer(q => q[..5]);
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Contains("shorter than a DNS header", result.Reason);
    }

    [Fact]
    public async Task RunAsync_ServerFailure_Down()
    {
        using var server = new FakeDnsServer(q => ValidReply(q, rcode: 2));
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Equal("reply code 2", result.Reason);
    }

    [Fact]
    public async Task RunAsync_QueryEchoedBack_DownNotAReply()
    {
        using var server = new FakeDnsServer(q => q);
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Equal("not a reply to a standard query", result.Reason);
    }

    [Fact]
    public async Task RunAsync_Silence_FailsOnTime()
    {
        using var server = new FakeDnsServer(_ => null);
        var clock = Stopwatch.StartNew();
        var result = await Create(server.Target, timeout: 0.5).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Contains("timed out", result.Reason);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.4, 2);
    }

    [Fact]
    public void Validate_RandomReplies_NeverThrows()
    {
        var query = new byte[33];
        Assert.True(Lvs.Health.Checks.DnsMessage.TryEncodeName("www.example.com", out var name));
        var length = Lvs.Health.Checks.DnsMessage.WriteQuery(query, 0x1234, name, 1);
        Assert.Equal(query.Length, length);
        var valid = ValidReply(query);
        Assert.Null(Lvs.Health.Checks.DnsMessage.Validate(valid, query));
        var random = new Random(53);
        for (var i = 0; i < 20_000; i++)
        {
            var mutated = valid[..random.Next(0, valid.Length + 1)];
            for (var flips = random.Next(0, 4); flips > 0 && mutated.Length > 0; flips--)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }
            _ = Lvs.Health.Checks.DnsMessage.Validate(mutated, query);
        }
    }
}
