using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Lvs.Health.Config;

namespace Lvs.Health.Checks;

/// <summary>
/// keepalived's HTTP_GET and SSL_GET: for every <c>url</c>, one connection, one
/// <c>GET path HTTP/1.0</c> (or 1.1 with <c>http_protocol 1.1</c>), the status must be in
/// status_code (default 200-299) and, when digest is given, the MD5 of the body must match.
/// All urls must pass, within connect_timeout in total. SSL_GET does not verify the server's
/// certificate (as keepalived without a CA); <c>enable_sni</c> sends the virtualhost as SNI.
/// Reading is bounded: see <see cref="HttpResponseReader"/>.
/// </summary>
public sealed class HttpCheck : IHealthCheck
{
    internal HttpCheck(bool tls, IPEndPoint endpoint, IPEndPoint? bind, CheckTiming timing, IReadOnlyList<HttpUrl> urls, string? virtualHost, string protocol, bool sni)
    {
        Tls = tls;
        Endpoint = endpoint;
        Bind = bind;
        Timing = timing;
        Urls = urls;
        VirtualHost = virtualHost;
        Protocol = protocol;
        Sni = sni;
    }

    /// <summary>True for SSL_GET.</summary>
    public bool Tls { get; }

    /// <summary>Where the check connects.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>The local address and port (bindto, bind_port), or null.</summary>
    public IPEndPoint? Bind { get; }

    /// <summary>The urls, each of which must pass.</summary>
    public IReadOnlyList<HttpUrl> Urls { get; }

    /// <summary>The checker's virtualhost (Host header and, with enable_sni, the TLS server name), or null.</summary>
    public string? VirtualHost { get; }

    /// <summary>"HTTP/1.0" or "HTTP/1.1".</summary>
    public string Protocol { get; }

    /// <summary>Whether SSL_GET sends SNI (enable_sni).</summary>
    public bool Sni { get; }

    /// <inheritdoc/>
    public string Kind => Tls ? "SSL_GET" : "HTTP_GET";

    /// <inheritdoc/>
    public CheckTiming Timing { get; }

    /// <inheritdoc/>
    public async Task<CheckResult> RunAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timing.ConnectTimeout);
        var last = new CheckResult(false, "no url");
        foreach (var url in Urls)
        {
            try
            {
                last = await FetchAsync(url, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                var failure = Connector.Failure(e, Timing.ConnectTimeout, ct);
                return failure with { Reason = $"{url.Path}: {failure.Reason}" };
            }
            if (!last.Up)
            {
                return last;
            }
        }
        return last;
    }

    private async Task<CheckResult> FetchAsync(HttpUrl url, CancellationToken ct)
    {
        var socket = await Connector.ConnectTcpAsync(Endpoint, Bind, ct).ConfigureAwait(false);
        try
        {
            using var network = new NetworkStream(socket, ownsSocket: false);
            Stream stream = network;
            SslStream? ssl = null;
            if (Tls)
            {
                ssl = new SslStream(network, leaveInnerStreamOpen: true);
                stream = ssl;
                var host = url.VirtualHost ?? VirtualHost;
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = Sni && host is not null ? host : "",
                    // keepalived's SSL_GET checks liveness, not identity: no CA is configured for it.
                    RemoteCertificateValidationCallback = static (_, _, _, _) => true,
                }, ct).ConfigureAwait(false);
            }
            await using (ssl)
            {
                var request = Encoding.ASCII.GetBytes(
                    $"GET {url.Path} {Protocol}\r\nUser-Agent: KeepAliveClient\r\nHost: {HostHeader(url)}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(request, ct).ConfigureAwait(false);
                await stream.FlushAsync(ct).ConfigureAwait(false);
                return await HttpResponseReader.CheckAsync(stream, url, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            // Reset: a server still streaming a body must not hold the connection, nor we a TIME_WAIT.
            Connector.Abort(socket);
        }
    }

    private string HostHeader(HttpUrl url)
    {
        if ((url.VirtualHost ?? VirtualHost) is { } host)
        {
            return host;
        }
        var defaultPort = Tls ? 443 : 80;
        var address = Endpoint.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{Endpoint.Address}]" : Endpoint.Address.ToString();
        return Endpoint.Port == defaultPort ? address : $"{address}:{Endpoint.Port}";
    }

    internal static IHealthCheck? Create(BlockReader reader, CheckTarget target, TimeSpan serviceDelayLoop, bool tls)
    {
        var common = new CommonOptions(target, serviceDelayLoop, defaultRetry: 1);
        var urls = new List<HttpUrl>();
        string? virtualHost = null;
        var protocol = "HTTP/1.0";
        var sni = false;
        foreach (var line in reader.Block.Children)
        {
            if (common.TryTake(line, reader))
            {
                continue;
            }
            switch (line.Name)
            {
                case "url":
                    if (HttpUrl.Parse(line, reader) is { } url)
                    {
                        urls.Add(url);
                    }
                    break;
                case "virtualhost":
                    if (reader.Text(line, out var host))
                    {
                        virtualHost = host;
                    }
                    break;
                case "http_protocol":
                    protocol = line.Arguments is ["1.0"] or ["1.0C"] or ["1.0c"] ? "HTTP/1.0"
                        : line.Arguments is ["1.1"] ? "HTTP/1.1"
                        : Fail(reader, line, "http_protocol wants 1.0, 1.0C or 1.1");
                    break;
                case "enable_sni":
                    if (!tls)
                    {
                        reader.Warn(line, "enable_sni applies to SSL_GET only, ignored");
                    }
                    else if (reader.Flag(line, out var on))
                    {
                        sni = on;
                    }
                    break;
                default:
                    reader.Unknown(line);
                    break;
            }
        }
        if (!reader.Failed && urls.Count == 0)
        {
            reader.Fail(reader.Block, $"{reader.Block.Name} needs at least one url {{ path ... }}");
        }
        if (!common.Validate(reader, needsPort: true))
        {
            return null;
        }
        return new HttpCheck(tls, common.Endpoint, common.BindEndpoint, common.Timing, urls, virtualHost, protocol, sni);
    }

    private static string Fail(BlockReader reader, HealthBlock line, string reason)
    {
        reader.Fail(line, reason);
        return "";
    }
}
