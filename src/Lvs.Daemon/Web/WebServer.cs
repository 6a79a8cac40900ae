using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lvs.Daemon.Web;

/// <summary>
/// lvsd's read-only HTTP listener (--web): /metrics, the dashboard at /, /api/status and the
/// live stream /api/events. Kestrel with tight limits: HTTP/1.1 only, GET and HEAD only, no
/// request bodies, small headers with a timeout, a cap on connections and on event streams, so
/// many or slow clients cost bounded memory. Nothing it serves can change the director's state:
/// it reads only through <see cref="WebSnapshotProvider"/> and <see cref="EventRing"/>.
/// </summary>
public sealed partial class WebServer : IDisposable
{
    /// <summary>Open connections at most; more wait in the kernel's backlog.</summary>
    public const int MaxConnections = 64;

    private readonly WebApplication _app;
    private readonly WebSnapshotProvider _snapshots;
    private readonly EventRing _events;
    private readonly Dictionary<string, (byte[] Body, string Type)> _files;

    private WebServer(WebApplication app, WebSnapshotProvider snapshots, EventRing events)
    {
        _app = app;
        _snapshots = snapshots;
        _events = events;
        _files = LoadFiles();
        _ticker = new Timer(_ => Tick(), null, Timeout.Infinite, Timeout.Infinite);
    }

    public WebEndpoint Endpoint { get; private init; } = null!;

    /// <summary>Binds and starts serving; throws IOException when the address cannot be bound.</summary>
    public static WebServer Start(WebEndpoint endpoint, WebSnapshotProvider snapshots, EventRing events)
    {
        if (endpoint.UnixPath is { } path)
        {
            PrepareSocketPath(path);
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();

        // lvsd owns SIGINT/SIGTERM; the host must not install its own console lifetime.
        builder.Services.AddSingleton<IHostLifetime, NoLifetime>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            KestrelServerLimits l = k.Limits;
            l.MaxConcurrentConnections = MaxConnections;
            l.MaxConcurrentUpgradedConnections = 0;
            // GET and HEAD carry no body; a small one is read and discarded so the 405 arrives
            // intact, a larger one is refused (413) and its connection closed.
            l.MaxRequestBodySize = 1024;
            l.MaxRequestHeaderCount = 32;
            l.MaxRequestHeadersTotalSize = 8 * 1024;
            l.MaxRequestLineSize = 2 * 1024;
            l.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            // Also the time a new connection may stay silent before its first request.
            l.KeepAliveTimeout = TimeSpan.FromSeconds(10);
            l.MaxResponseBufferSize = 64 * 1024;
            if (endpoint.UnixPath is { } unix)
            {
                k.ListenUnixSocket(unix, o => o.Protocols = HttpProtocols.Http1);
            }
            else
            {
                k.Listen(endpoint.Tcp!, o => o.Protocols = HttpProtocols.Http1);
            }
        });

        WebApplication app = builder.Build();
        var server = new WebServer(app, snapshots, events) { Endpoint = endpoint };
        app.Run(server.HandleAsync);
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            server.Dispose();
            throw new IOException($"cannot listen on {endpoint}: {e.Message}", e);
        }

        if (endpoint.UnixPath is { } bound)
        {
            // Like the control socket: root only unless the operator opens it up.
            File.SetUnixFileMode(bound, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        server._ticker.Change(TickMs, TickMs);
        return server;
    }

    public void Dispose()
    {
        _ticker.Dispose();
        _stopping.Cancel();
        try
        {
            _app.StopAsync(TimeSpan.FromSeconds(2)).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // Event streams still open when the grace time ends are aborted; that is the point.
        }

        ((IDisposable)_app).Dispose();
        _stopping.Dispose();
        if (Endpoint?.UnixPath is { } path)
        {
            File.Delete(path);
        }
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        HttpRequest req = ctx.Request;
        HttpResponse res = ctx.Response;
        res.Headers.XContentTypeOptions = "nosniff";
        res.Headers.CacheControl = "no-store";
        if (!HttpMethods.IsGet(req.Method) && !HttpMethods.IsHead(req.Method))
        {
            res.StatusCode = StatusCodes.Status405MethodNotAllowed;
            res.Headers.Allow = "GET, HEAD";
            res.Headers.Connection = "close";
            await Text(res, "only GET and HEAD: this listener cannot change anything\n");
            return;
        }

        string path = req.Path.Value ?? "/";
        try
        {
            switch (path)
            {
                case "/metrics":
                    res.ContentType = PrometheusText.ContentType;
                    await res.WriteAsync(PrometheusText.Write(_snapshots.Current()), ctx.RequestAborted);
                    return;
                case "/api/status":
                    res.ContentType = "application/json; charset=utf-8";
                    await res.Body.WriteAsync(StatusJson(_events.Capacity), ctx.RequestAborted);
                    return;
                case "/api/events":
                    await StreamEventsAsync(ctx);
                    return;
            }
        }
        catch (InvalidOperationException e)
        {
            // The snapshot could not be taken (the control handler refused): say so, change nothing.
            if (!res.HasStarted)
            {
                res.StatusCode = StatusCodes.Status500InternalServerError;
                await Text(res, e.Message + "\n");
            }

            return;
        }

        if (_files.TryGetValue(path == "/" ? "/index.html" : path, out (byte[] Body, string Type) file))
        {
            res.ContentType = file.Type;
            res.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:";
            res.ContentLength = file.Body.Length;
            await res.Body.WriteAsync(file.Body, ctx.RequestAborted);
            return;
        }

        res.StatusCode = StatusCodes.Status404NotFound;
        await Text(res, "not found\n");
    }

    private byte[] StatusJson(int events) =>
        JsonSerializer.SerializeToUtf8Bytes(DashboardStatus.From(_snapshots.Current(), _events.Recent(events)), DashboardJsonContext.Default.DashboardStatus);

    private static Task Text(HttpResponse res, string body)
    {
        res.ContentType = "text/plain; charset=utf-8";
        return res.WriteAsync(body);
    }

    private static Dictionary<string, (byte[], string)> LoadFiles()
    {
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        System.Reflection.Assembly asm = typeof(WebServer).Assembly;
        foreach (string name in asm.GetManifestResourceNames())
        {
            if (!name.StartsWith("wwwroot/", StringComparison.Ordinal))
            {
                continue;
            }

            using Stream s = asm.GetManifestResourceStream(name)!;
            using var m = new MemoryStream();
            s.CopyTo(m);
            string type = Path.GetExtension(name) switch
            {
                ".html" => "text/html; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            files[name["wwwroot".Length..]] = (m.ToArray(), type);
        }

        return files;
    }

    private static void PrepareSocketPath(string path)
    {
        string? dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        // A socket left by a crashed run would make the bind fail; a live listener's is not ours.
        if (!File.Exists(path))
        {
            return;
        }

        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        }
        catch (System.Net.Sockets.SocketException)
        {
            File.Delete(path);
            return;
        }

        throw new IOException($"something is already listening on {path}");
    }

    /// <summary>A host lifetime that does nothing: lvsd's own signal handlers stop it.</summary>
    private sealed class NoLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

}
