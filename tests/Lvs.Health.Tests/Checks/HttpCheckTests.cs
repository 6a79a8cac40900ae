using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Lvs.Health.Tests.TestSupport;

namespace Lvs.Health.Tests.Checks;

[Collection(SerialCollection.Name)]
public class HttpCheckTests
{
    internal static IHealthCheck Create(CheckTarget target, string url, double timeout = 2, string kind = "HTTP_GET", string extra = "")
    {
        var block = Blocks.Parse($$"""
            {{kind}} {
                url {
                    {{url}}
                }
                connect_timeout {{timeout}}
                {{extra}}
            }
            """);
        Assert.True(CheckerFactory.TryCreate(block, target, TimeSpan.FromSeconds(1), out var check, out var error), error);
        return check!;
    }

    internal static FakeTcpServer Answering(string response) => new(async (socket, ct) =>
    {
        await FakeTcpServer.ReadRequestAsync(socket, ct);
        await socket.SendAsync(Encoding.ASCII.GetBytes(response), ct);
        socket.Shutdown(SocketShutdown.Send);
        await Task.Delay(2000, ct);
    });

    private static string Md5(string body) => Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(body)));

    [Fact]
    public async Task RunAsync_Status200_Up()
    {
        using var server = Answering("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        var result = await Create(server.Target, "path /").RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
    }

    [Fact]
    public async Task RunAsync_WrongStatus_Down()
    {
        using var server = Answering("HTTP/1.0 500 Internal Server Error\r\n\r\n");
        var result = await Create(server.Target, "path /health").RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Equal("/health: status 500, wanted 200-299", result.Reason);
    }

    [Fact]
    public async Task RunAsync_StatusInConfiguredList_Up()
    {
        using var server = Answering("HTTP/1.0 302 Found\r\nLocation: /x\r\n\r\n");
        var result = await Create(server.Target, "path /\nstatus_code \"200 302 400-404\"").RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
    }

    [Fact]
    public async Task RunAsync_DigestMatches_Up()
    {
        using var server = Answering("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        var result = await Create(server.Target, $"path /\ndigest {Md5("hello")}").RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
    }

    [Fact]
    public async Task RunAsync_DigestWithoutContentLength_ReadsToClose()
    {
        using var server = Answering("HTTP/1.0 200 OK\r\n\r\nhello");
        var result = await Create(server.Target, $"path /\ndigest {Md5("hello")}").RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
    }

    [Fact]
    public async Task RunAsync_WrongDigest_Down()
    {
        using var server = Answering("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhellO");
        var result = await Create(server.Target, $"path /\ndigest {Md5("hello")}").RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Contains($"wanted {Md5("hello")}", result.Reason);
    }

    [Theory]
    [InlineData("garbage garbage\r\n\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n")]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n\r\n")]
    public async Task RunAsync_Garbage_Down(string response)
    {
        using var server = Answering(response);
        var result = await Create(server.Target, "path /").RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Equal("/: not an HTTP response", result.Reason);
    }

    [Fact]
    public async Task RunAsync_ClosedBeforeHeadersEnd_Down()
    {
        using var server = Answering("HTTP/1.1 200 OK\r\nServer: x\r\n");
        var result = await Create(server.Target, "path /").RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Contains("closed inside the response headers", result.Reason);
    }

    [Fact]
    public async Task RunAsync_AcceptsButNeverAnswers_FailsOnTime()
    {
        using var server = new FakeTcpServer((_, ct) => Task.Delay(10_000, ct));
        var clock = Stopwatch.StartNew();
        var result = await Create(server.Target, "path /", timeout: 0.5).RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Contains("timed out", result.Reason);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.4, 2);
    }

    [Fact]
    public async Task RunAsync_ResetAfterRequest_Down()
    {
        using var server = new FakeTcpServer(async (socket, ct) =>
        {
            await FakeTcpServer.ReadRequestAsync(socket, ct);
            FakeTcpServer.Reset(socket);
        });
        var result = await Create(server.Target, "path /").RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Matches("connection reset|closed without a response", result.Reason);
    }

    [Fact]
    public async Task RunAsync_EndlessHeaders_DownBounded()
    {
        using var server = new FakeTcpServer(async (socket, ct) =>
        {
            await FakeTcpServer.ReadRequestAsync(socket, ct);
            await socket.SendAsync("HTTP/1.1 200 OK\r\n"u8.ToArray(), ct);
            var header = Encoding.ASCII.GetBytes("X-Filler: " + new string('a', 1000) + "\r\n");
            for (var i = 0; i < 100_000 && !ct.IsCancellationRequested; i++)
            {
                await socket.SendAsync(header, ct);
            }
        });
        var result = await Create(server.Target, "path /").RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Contains("headers over 16 KiB", result.Reason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunAsync_GigabyteBody_DecidesWithoutReadingItAndMemoryStaysBounded(bool digest)
    {
        var sent = 0L;
        using var server = new FakeTcpServer(async (socket, ct) =>
        {
            await FakeTcpServer.ReadRequestAsync(socket, ct);
            await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n"u8.ToArray(), ct);
            var chunk = new byte[64 * 1024];
            // Up to 4 GiB, endless for the checker's purposes; it stops when the checker resets.
            for (var i = 0; i < 65_536 && !ct.IsCancellationRequested; i++)
            {
                await socket.SendAsync(chunk, ct);
                Interlocked.Add(ref sent, chunk.Length);
            }
        });
        var check = Create(server.Target, digest ? "path /\ndigest 00112233445566778899aabbccddeeff" : "path /", timeout: 5);
        await check.RunAsync(CancellationToken.None); // warm up the code paths once

        var before = GC.GetAllocatedBytesForCurrentThread();
        var total = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var result = await check.RunAsync(CancellationToken.None);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - total;

        if (digest)
        {
            Assert.False(result.Up);
            Assert.Contains("body over the 1024 KiB digest limit", result.Reason);
        }
        else
        {
            Assert.True(result.Up, result.Reason);
        }
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
        // Whole process, the fake server's loop included: far below even the 1 MiB digest cap.
        Assert.True(allocated < 512 * 1024, $"allocated {allocated} bytes (this thread: {GC.GetAllocatedBytesForCurrentThread() - before})");
        Assert.True(Interlocked.Read(ref sent) < 64L * 1024 * 1024, $"server got {sent} bytes out before the reset");
    }

    [Fact]
    public async Task RunAsync_TwoUrls_BothMustPass()
    {
        using var server = new FakeTcpServer(async (socket, ct) =>
        {
            var buffer = new byte[4096];
            var n = await socket.ReceiveAsync(buffer, ct);
            var request = Encoding.ASCII.GetString(buffer, 0, n);
            var status = request.StartsWith("GET /bad ", StringComparison.Ordinal) ? "503 Unavailable" : "200 OK";
            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.0 {status}\r\n\r\n"), ct);
            socket.Shutdown(SocketShutdown.Send);
        });
        var block = Blocks.Parse("HTTP_GET {\nurl {\npath /good\n}\nurl {\npath /bad\n}\n}");
        Assert.True(CheckerFactory.TryCreate(block, server.Target, TimeSpan.FromSeconds(1), out var check, out var error), error);
        var result = await check!.RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.StartsWith("/bad: status 503", result.Reason);
    }

    [Fact]
    public async Task RunAsync_VirtualHost_SentAsHostHeader()
    {
        string? request = null;
        using var server = new FakeTcpServer(async (socket, ct) =>
        {
            var buffer = new byte[4096];
            var n = await socket.ReceiveAsync(buffer, ct);
            request = Encoding.ASCII.GetString(buffer, 0, n);
            await socket.SendAsync("HTTP/1.0 200 OK\r\n\r\n"u8.ToArray(), ct);
            socket.Shutdown(SocketShutdown.Send);
        });
        var result = await Create(server.Target, "path /status", extra: "virtualhost www.example.com").RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
        Assert.StartsWith("GET /status HTTP/1.0\r\n", request);
        Assert.Contains("\r\nHost: www.example.com\r\n", request);
    }
}
