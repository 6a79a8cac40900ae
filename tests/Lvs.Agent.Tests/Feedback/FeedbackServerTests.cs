using System.Net;
using System.Net.Sockets;
using System.Text;
using Lvs.Agent.Feedback;

namespace Lvs.Agent.Tests.Feedback;

/// <summary>The server on loopback of the test's own namespace, port chosen by the kernel.</summary>
public class FeedbackServerTests
{
    private static async Task<string> AskAsync(IPEndPoint at, string? send = null)
    {
        using var client = new Socket(at.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await client.ConnectAsync(at, cts.Token);
        if (send is not null)
        {
            await client.SendAsync(Encoding.ASCII.GetBytes(send), SocketFlags.None, cts.Token);
        }

        var received = new MemoryStream();
        byte[] buffer = new byte[256];
        int n;
        while ((n = await client.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0)
        {
            received.Write(buffer, 0, n);
        }

        return Encoding.ASCII.GetString(received.ToArray());
    }

    private static FeedbackOptions Options(FeedbackMetric metric, string? command = null) =>
        new() { Port = 0, Bind = IPAddress.Loopback, Metric = metric, Command = command, Interval = TimeSpan.FromMilliseconds(200) };

    [Fact]
    public async Task Serve_CommandEchoing50Percent_EachClientGetsOneLineThenClose()
    {
        await using var server = new FeedbackServer(Options(FeedbackMetric.Command, "echo 50%"));
        await server.StartAsync();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("50%\n", await AskAsync(server.LocalEndPoint, i == 1 ? "hello agent\n" : null));
        }

        Assert.Equal(3, server.Served);
    }

    [Fact]
    public async Task Serve_CommandPrintingGarbage_AnswersFail()
    {
        await using var server = new FeedbackServer(Options(FeedbackMetric.Command, "echo banana"));
        await server.StartAsync();
        string answer = await AskAsync(server.LocalEndPoint);
        Assert.StartsWith("fail #", answer);
        Assert.EndsWith("\n", answer);
    }

    [Fact]
    public async Task Serve_CommandThatHangs_FailsWithinItsLimit()
    {
        var options = Options(FeedbackMetric.Command, "sleep 30");
        var sampler = new MetricSampler(options);
        var started = System.Diagnostics.Stopwatch.StartNew();
        string answer = await sampler.SampleAsync(CancellationToken.None);
        Assert.Contains("did not finish", answer);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(4), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task Serve_CommandExitingNonZero_AnswersFail()
    {
        var sampler = new MetricSampler(Options(FeedbackMetric.Command, "echo 50%; exit 3"));
        Assert.Equal("fail #command exited with 3\n", await sampler.SampleAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Sample_CpuFromFakeProc_SecondSampleIsIdleShare()
    {
        string[] stats = ["cpu  100 0 100 800 0 0 0 0 0 0\n", "cpu  400 0 100 900 0 0 0 0 0 0\n"];
        int call = 0;
        var sampler = new MetricSampler(Options(FeedbackMetric.Cpu), _ => stats[Math.Min(call++, 1)]);
        Assert.Equal("100%\n", await sampler.SampleAsync(CancellationToken.None));
        Assert.Equal("25%\n", await sampler.SampleAsync(CancellationToken.None)); // 100 idle of 400
    }

    [Fact]
    public async Task Sample_ConnectionsFromFakeProc_ScaledByMaxLoad()
    {
        string tcp = "header\n" + string.Concat(Enumerable.Range(0, 30).Select(i => $"{i}: 0100007F:0050 0100007F:{i:X4} 01 0:0 0:0 0 0 0 1\n"));
        var options = Options(FeedbackMetric.Connections) with { MaxLoad = 100 };
        var sampler = new MetricSampler(options, path => path.EndsWith("tcp6", StringComparison.Ordinal) ? "header\n" : tcp);
        Assert.Equal("70%\n", await sampler.SampleAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Sample_LoadAverageUnreadable_AnswersFail()
    {
        var sampler = new MetricSampler(Options(FeedbackMetric.LoadAverage), _ => throw new IOException("gone"));
        Assert.StartsWith("fail #cannot read the metric", await sampler.SampleAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Serve_ManySilentClients_CappedAndOthersStillServed()
    {
        // Clients that connect and never read cannot hold the server: each slot is freed within the client timeout.
        var options = Options(FeedbackMetric.Command, "echo up") with { MaxClients = 2, ClientTimeout = TimeSpan.FromMilliseconds(300) };
        await using var server = new FeedbackServer(options);
        await server.StartAsync();
        var idle = new List<Socket>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await s.ConnectAsync(server.LocalEndPoint);
                idle.Add(s);
            }

            Assert.Equal("up\n", await AskAsync(server.LocalEndPoint));
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }
    }
}
