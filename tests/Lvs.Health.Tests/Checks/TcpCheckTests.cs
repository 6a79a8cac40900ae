using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Lvs.Health.Tests.TestSupport;

namespace Lvs.Health.Tests.Checks;

public class TcpCheckTests
{
    private static IHealthCheck Create(CheckTarget target, double timeout = 2)
    {
        var block = Blocks.Parse($"TCP_CHECK {{\nconnect_timeout {timeout}\n}}");
        Assert.True(CheckerFactory.TryCreate(block, target, TimeSpan.FromSeconds(1), out var check, out var error), error);
        return check!;
    }

    [Fact]
    public async Task RunAsync_Listening_Up()
    {
        using var server = new FakeTcpServer((_, ct) => Task.Delay(1000, ct));
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
    }

    [Fact]
    public async Task RunAsync_NothingListening_DownRefused()
    {
        ushort port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = (ushort)((IPEndPoint)probe.LocalEndPoint!).Port;
        }
        var result = await Create(new CheckTarget(IPAddress.Loopback, port)).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Equal("connection refused", result.Reason);
    }

    [Fact]
    public async Task RunAsync_BacklogFullSynsDropped_FailsOnTime()
    {
        // A listener that never accepts, its queue filled: further SYNs go unanswered, as a hung host's.
        using var server = new FakeTcpServer((_, _) => Task.CompletedTask, backlog: 0, accept: false);
        var fillers = new List<Socket>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                fillers.Add(s);
                _ = s.ConnectAsync(IPAddress.Loopback, server.Port);
            }
            await Task.Delay(200);
            var clock = Stopwatch.StartNew();
            var result = await Create(server.Target, timeout: 0.5).RunAsync(CancellationToken.None);
            Assert.False(result.Up);
            Assert.Contains("timed out", result.Reason);
            Assert.InRange(clock.Elapsed.TotalSeconds, 0.4, 2);
        }
        finally
        {
            fillers.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task RunAsync_Ipv6Loopback_Up()
    {
        using var listener = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        listener.Listen(4);
        var result = await Create(new CheckTarget(IPAddress.IPv6Loopback, (ushort)((IPEndPoint)listener.LocalEndPoint!).Port)).RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
    }

    [Fact]
    public async Task RunAsync_CallerCancels_Throws()
    {
        using var server = new FakeTcpServer((_, ct) => Task.Delay(1000, ct));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Create(server.Target).RunAsync(cts.Token));
    }
}
