using System.Net;
using System.Net.Sockets;
using Lvs.Health.Tests.TestSupport;

namespace Lvs.Health.Tests.Checks;

public class UdpCheckTests
{
    private static IHealthCheck Create(ushort port, string extra, double timeout = 5)
    {
        var block = Blocks.Parse($"UDP_CHECK {{\nconnect_timeout {timeout}\npayload 6c7673\n{extra}\n}}");
        Assert.True(CheckerFactory.TryCreate(block, new CheckTarget(IPAddress.Loopback, port), TimeSpan.FromSeconds(1), out var check, out var error), error);
        return check!;
    }

    private static (Socket Socket, ushort Port) Listen(Func<byte[], byte[]?> reply)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _ = Task.Run(async () =>
        {
            var buffer = new byte[2048];
            try
            {
                var r = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0));
                if (reply(buffer[..r.ReceivedBytes]) is { } answer)
                {
                    await socket.SendToAsync(answer, r.RemoteEndPoint);
                }
            }
            catch (Exception)
            {
                // Closed by the test.
            }
        });
        return (socket, (ushort)((IPEndPoint)socket.LocalEndPoint!).Port);
    }

    [Fact]
    public async Task RunAsync_PortUnreachable_Down()
    {
        ushort port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = (ushort)((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        var result = await Create(port, "").RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Equal("ICMP port unreachable", result.Reason);
    }

    [Fact]
    public async Task RunAsync_SilentWithoutRequireReply_Up()
    {
        var (socket, port) = Listen(_ => null);
        using (socket)
        {
            var result = await Create(port, "", timeout: 0.5).RunAsync(CancellationToken.None);
            Assert.True(result.Up, result.Reason);
        }
    }

    [Fact]
    public async Task RunAsync_SilentWithRequireReply_Down()
    {
        var (socket, port) = Listen(_ => null);
        using (socket)
        {
            var result = await Create(port, "require_reply", timeout: 0.5).RunAsync(CancellationToken.None);
            Assert.False(result.Up);
            Assert.StartsWith("no reply", result.Reason);
        }
    }

    [Fact]
    public async Task RunAsync_MatchingReply_Up()
    {
        byte[]? seen = null;
        var (socket, port) = Listen(q => [.. (seen = q), 0x21]);
        using (socket)
        {
            var result = await Create(port, "require_reply 6c76").RunAsync(CancellationToken.None);
            Assert.True(result.Up, result.Reason);
            Assert.Equal("lvs"u8.ToArray(), seen);
        }
    }

    [Fact]
    public async Task RunAsync_GarbageReply_Down()
    {
        var (socket, port) = Listen(_ => "garbage"u8.ToArray());
        using (socket)
        {
            var result = await Create(port, "require_reply 6c76").RunAsync(CancellationToken.None);
            Assert.False(result.Up);
            Assert.Equal("reply does not match require_reply", result.Reason);
        }
    }

    [Fact]
    public async Task RunAsync_ReplyTooLong_Down()
    {
        var (socket, port) = Listen(_ => new byte[100]);
        using (socket)
        {
            var result = await Create(port, "require_reply\nmax_reply_length 10").RunAsync(CancellationToken.None);
            Assert.False(result.Up);
            Assert.Contains("reply of 100 bytes", result.Reason);
        }
    }
}
