using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Lvs.Health.Tests.TestSupport;

namespace Lvs.Health.Tests.Checks;

public class SslGetTests
{
    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=lvs-health-test", key, HashAlgorithmName.SHA256);
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Through PKCS#12 so the private key is usable by the TLS server on Linux.
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pkcs12), null);
    }

    /// <summary>A TLS server that records the SNI name it was asked for and answers with <c>response</c>.</summary>
    private static FakeTcpServer TlsServer(X509Certificate2 certificate, string response, Action<string?> sni) => new(async (socket, ct) =>
    {
        await using var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
        await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
        {
            ServerCertificateSelectionCallback = (_, name) =>
            {
                sni(name);
                return certificate;
            },
        }, ct);
        var buffer = new byte[4096];
        _ = await ssl.ReadAsync(buffer, ct);
        await ssl.WriteAsync(System.Text.Encoding.ASCII.GetBytes(response), ct);
        await ssl.ShutdownAsync();
    });

    [Fact]
    public async Task RunAsync_EnableSni_SendsVirtualHostAndUp()
    {
        using var certificate = SelfSigned();
        string? seen = "not called";
        using var server = TlsServer(certificate, "HTTP/1.0 200 OK\r\n\r\n", name => seen = name);
        var check = HttpCheckTests.Create(server.Target, "path /", kind: "SSL_GET", extra: "virtualhost www.example.org\nenable_sni");
        var result = await check.RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
        Assert.Equal("www.example.org", seen);
    }

    [Fact]
    public async Task RunAsync_WithoutEnableSni_NoServerName()
    {
        using var certificate = SelfSigned();
        string? seen = "not called";
        using var server = TlsServer(certificate, "HTTP/1.0 200 OK\r\n\r\n", name => seen = name);
        var check = HttpCheckTests.Create(server.Target, "path /", kind: "SSL_GET", extra: "virtualhost www.example.org");
        var result = await check.RunAsync(CancellationToken.None);
        Assert.True(result.Up, result.Reason);
        Assert.True(string.IsNullOrEmpty(seen), $"SNI sent: {seen}");
    }

    [Fact]
    public async Task RunAsync_TlsWrongStatus_Down()
    {
        using var certificate = SelfSigned();
        using var server = TlsServer(certificate, "HTTP/1.0 404 Not Found\r\n\r\n", _ => { });
        var result = await HttpCheckTests.Create(server.Target, "path /", kind: "SSL_GET").RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.Equal("/: status 404, wanted 200-299", result.Reason);
    }

    [Fact]
    public async Task RunAsync_PlainHttpServer_DownHandshakeFails()
    {
        using var server = HttpCheckTests.Answering("HTTP/1.0 200 OK\r\n\r\n");
        var result = await HttpCheckTests.Create(server.Target, "path /", kind: "SSL_GET").RunAsync(CancellationToken.None);
        Assert.False(result.Up);
        Assert.StartsWith("/: ", result.Reason);
    }
}
