using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Lvs.Contracts;
using Lvs.Core;
using Lvs.Core.Services;
using Lvs.Daemon.Control;
using Lvs.Daemon.Web;

namespace Lvs.Daemon.Tests.Web;

/// <summary>The listener on a Unix socket in a temporary directory: no network traffic at all.</summary>
public sealed class WebServerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("lvsweb").FullName;
    private readonly ServiceTable _services = new(workers: 1);
    private readonly ControlHandler _handler;
    private readonly EventRing _events = new(16, TimeProvider.System);
    private readonly WebServer _server;
    private readonly HttpClient _http;

    public WebServerTests()
    {
        _handler = new ControlHandler(_services, [new Director(_services)]);
        _services.AddService(new Lvs.Core.Services.ServiceKey(IpProtocol.Tcp, 0xC000020A, 80), "rr");
        _services.AddServer(new Lvs.Core.Services.ServiceKey(IpProtocol.Tcp, 0xC000020A, 80), 0x0A00000B, 80, ForwardMethod.Masquerade, 2);
        _events.Add(EventKinds.Start, "test started");
        var snapshots = new WebSnapshotProvider(_handler.Handle, () => [42L], TimeProvider.System);
        _server = WebServer.Start(new WebEndpoint { UnixPath = Path.Combine(_dir, "web.sock") }, snapshots, _events);
        _http = Client(Path.Combine(_dir, "web.sock"));
    }

    public void Dispose()
    {
        _http.Dispose();
        _server.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    internal static HttpClient Client(string socketPath) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, token) =>
        {
            var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await s.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), token);
            return new NetworkStream(s, ownsSocket: true);
        },
    })
    { BaseAddress = new Uri("http://lvsd"), Timeout = TimeSpan.FromSeconds(20) };

    [Fact]
    public async Task Get_Metrics_PrometheusTextOfTheTable()
    {
        using HttpResponseMessage r = await _http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", r.Content.Headers.ContentType!.ToString());
        string text = await r.Content.ReadAsStringAsync();
        Assert.Contains("node_ipvs_backend_weight{local_address=\"192.0.2.10\",local_port=\"80\",remote_address=\"10.0.0.11\",remote_port=\"80\",proto=\"TCP\",local_mark=\"\"} 2\n", text);
        Assert.Contains("lvs_worker_packets_total{worker=\"0\"} 42\n", text);
    }

    [Fact]
    public async Task Get_Dashboard_HtmlScriptAndStyleFromTheProject()
    {
        string html = await _http.GetStringAsync("/");
        Assert.Contains("<script src=\"/dashboard.js\"", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        using HttpResponseMessage js = await _http.GetAsync("/dashboard.js");
        Assert.Equal("text/javascript; charset=utf-8", js.Content.Headers.ContentType!.ToString());
        Assert.Contains("EventSource", await js.Content.ReadAsStringAsync());
        using HttpResponseMessage css = await _http.GetAsync("/dashboard.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
    }

    [Fact]
    public async Task Get_Status_JsonWithServicesEventsAndFeatures()
    {
        using JsonDocument doc = JsonDocument.Parse(await _http.GetStringAsync("/api/status"));
        JsonElement root = doc.RootElement;
        JsonElement service = root.GetProperty("services")[0];
        Assert.Equal("TCP 192.0.2.10:80", service.GetProperty("name").GetString());
        Assert.Equal("10.0.0.11", service.GetProperty("servers")[0].GetProperty("address").GetString());
        Assert.False(service.GetProperty("servers")[0].TryGetProperty("up", out _));
        Assert.Equal("test started", root.GetProperty("events")[0].GetProperty("message").GetString());
        Assert.False(root.GetProperty("features").GetProperty("health").GetBoolean());
    }

    [Theory]
    [InlineData("/nope")]
    [InlineData("/metrics/")]
    [InlineData("/../etc/passwd")]
    [InlineData("/index.html.bak")]
    public async Task Get_UnknownPath_404(string path)
    {
        using HttpResponseMessage r = await _http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task NotGet_AnyPath_405AndTableUnchanged(string method)
    {
        string before = Listing();
        foreach (string path in new[] { "/metrics", "/api/status", "/", "/api/events" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new StringContent("{\"command\":\"clear\"}") };
            using HttpResponseMessage r = await _http.SendAsync(request);
            Assert.True(r.StatusCode is HttpStatusCode.MethodNotAllowed or HttpStatusCode.RequestEntityTooLarge, $"{method} {path}: {r.StatusCode}");
        }

        Assert.Equal(before, Listing());
    }

    [Fact]
    public async Task Head_Metrics_NoBody()
    {
        using HttpResponseMessage r = await _http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/metrics"));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Empty(await r.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Events_Stream_FirstMessageThenOnePerTick()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using HttpResponseMessage r = await _http.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", r.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await r.Content.ReadAsStreamAsync(cts.Token));
        var times = new List<long>();
        while (times.Count < 3)
        {
            string? line = await reader.ReadLineAsync(cts.Token);
            Assert.NotNull(line);
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                using JsonDocument doc = JsonDocument.Parse(line["data: ".Length..]);
                Assert.Equal("TCP 192.0.2.10:80", doc.RootElement.GetProperty("services")[0].GetProperty("name").GetString());
                times.Add(doc.RootElement.GetProperty("timeMs").GetInt64());
            }
        }

        Assert.True(times[2] > times[0], "the stream repeats the same snapshot");
    }

    [Fact]
    public async Task Events_MoreThanCap_Refused503()
    {
        var open = new List<HttpResponseMessage>();
        var clients = new List<HttpClient>();
        try
        {
            for (int i = 0; i < WebServer.MaxEventClients; i++)
            {
                HttpClient c = Client(Path.Combine(_dir, "web.sock"));
                clients.Add(c);
                HttpResponseMessage r = await c.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead);
                open.Add(r);
                Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            }

            using HttpResponseMessage extra = await _http.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, extra.StatusCode);
            Assert.Equal(WebServer.MaxEventClients, _server.EventClients);
        }
        finally
        {
            open.ForEach(r => r.Dispose());
            clients.ForEach(c => c.Dispose());
        }

        // Streams of clients that left are released (noticed at the next tick's write at the latest).
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (_server.EventClients > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, _server.EventClients);
    }

    [Fact]
    public async Task Request_HugeHeader_Refused()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add("X-Big", new string('a', 20_000));
        using HttpResponseMessage r = await _http.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, r.StatusCode);
    }

    [Fact]
    public async Task Connections_PastTheCap_ClosedUnserved()
    {
        string path = Path.Combine(_dir, "web.sock");
        var idle = new List<Socket>();
        try
        {
            // Connected but silent clients hold their slots until the header timeout (10 s).
            for (int i = 0; i < WebServer.MaxConnections; i++)
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                s.Connect(new UnixDomainSocketEndPoint(path));
                idle.Add(s);
            }

            await Task.Delay(300);
            using var extra = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            extra.Connect(new UnixDomainSocketEndPoint(path));
            extra.Send("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"u8);
            extra.ReceiveTimeout = 5000;
            byte[] buffer = new byte[256];
            int n;
            try
            {
                n = extra.Receive(buffer);
            }
            catch (SocketException)
            {
                n = 0;
            }

            Assert.Equal(0, n);
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
        }

        // Once they are gone, requests are served again.
        using HttpResponseMessage r = await _http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
    }

    [Fact]
    public void Start_SocketInUse_IOException()
    {
        var snapshots = new WebSnapshotProvider(_handler.Handle, () => [], TimeProvider.System);
        Assert.Throws<IOException>(() => WebServer.Start(new WebEndpoint { UnixPath = Path.Combine(_dir, "web.sock") }, snapshots, _events));
    }

    [Fact]
    public void Socket_Mode0600()
    {
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "web.sock")));
    }

    private string Listing() => JsonSerializer.Serialize(_handler.Handle(new ControlRequest { Command = Commands.List }).Status!.Services, ControlJsonContext.Default.ControlResponse.Options);
}
