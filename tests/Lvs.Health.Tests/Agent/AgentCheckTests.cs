using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Lvs.Health.Tests.TestSupport;

namespace Lvs.Health.Tests.Agent;

public class AgentCheckTests
{
    private static IHealthCheck Create(CheckTarget target, double timeout = 2)
    {
        var block = Blocks.Parse($"AGENT_CHECK {{\nconnect_port {target.Port}\nconnect_timeout {timeout}\n}}");
        Assert.True(CheckerFactory.TryCreate(block, target with { Port = 80 }, TimeSpan.FromSeconds(1), out var check, out var error), error);
        return check!;
    }

    private static FakeTcpServer Replying(string reply) => new(async (socket, ct) =>
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes(reply), ct);
        socket.Shutdown(SocketShutdown.Send);
        await Task.Delay(2000, ct);
    });

    [Fact]
    public async Task RunAsync_Percent_UpWithReport()
    {
        using var server = Replying("75%\n");
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
        Assert.Equal(new AgentReport(75, null, null), result.Agent);
    }

    [Fact]
    public async Task RunAsync_Drain_UpWithDrainState()
    {
        using var server = Replying("drain\r\n");
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
        Assert.Equal(AgentState.Drain, result.Agent?.State);
    }

    [Fact]
    public async Task RunAsync_DownWithReason_DownAndReasonLogged()
    {
        using var server = Replying("down#overload\n");
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Equal(new AgentReport(null, AgentState.Down, "overload"), result.Agent);
        Assert.Contains("overload", result.Reason);
    }

    [Fact]
    public async Task RunAsync_Maint_Down()
    {
        using var server = Replying("maint\n");
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Equal(AgentState.Maint, result.Agent?.State);
    }

    [Fact]
    public async Task RunAsync_LineWithoutNewlineThenClose_Parsed()
    {
        using var server = Replying("up 60%");
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
        Assert.Equal(60, result.Agent?.WeightPercent);
    }

    [Fact]
    public async Task RunAsync_Garbage_FailedCheckWithReason()
    {
        using var server = Replying("HTTP/1.1 400 Bad Request\r\n\r\n");
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Null(result.Agent);
        Assert.Contains("invalid reply", result.Reason);
    }

    [Fact]
    public async Task RunAsync_BinaryGarbage_FailedCheck()
    {
        using var server = new FakeTcpServer(async (socket, ct) =>
        {
            await socket.SendAsync(new byte[] { 0xff, 0xfe, 0x00, 0x10, (byte)'\n' }, ct);
            await Task.Delay(2000, ct);
        });
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Contains("invalid reply", result.Reason);
    }

    [Fact]
    public async Task RunAsync_OverLongLine_FailsAfter512Bytes()
    {
        using var server = new FakeTcpServer(async (socket, ct) =>
        {
            var chunk = Encoding.ASCII.GetBytes(new string('u', 4096));
            for (var i = 0; i < 256 && !ct.IsCancellationRequested; i++)
            {
                await socket.SendAsync(chunk, ct);
            }
        });
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Contains("over 512 bytes", result.Reason);
    }

    [Fact]
    public async Task RunAsync_ClosedWithoutReply_Fails()
    {
        using var server = new FakeTcpServer((socket, _) =>
        {
            socket.Close();
            return Task.CompletedTask;
        });
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Contains("closed without a reply", result.Reason);
    }

    [Fact]
    public async Task RunAsync_SilentAgent_FailsOnTime()
    {
        using var server = new FakeTcpServer((_, ct) => Task.Delay(10_000, ct));
        var clock = Stopwatch.StartNew();
        var result = await Create(server.Target, timeout: 0.5).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Contains("timed out", result.Reason);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.4, 2);
    }

    [Fact]
    public async Task RunAsync_Reset_Fails()
    {
        using var server = new FakeTcpServer((socket, _) =>
        {
            FakeTcpServer.Reset(socket);
            return Task.CompletedTask;
        });
        var result = await Create(server.Target).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Matches("connection reset|closed without a reply", result.Reason);
    }
}
