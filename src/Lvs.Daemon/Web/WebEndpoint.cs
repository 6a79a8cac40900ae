using System.Net;

namespace Lvs.Daemon.Web;

/// <summary>Where lvsd's web listener binds: a TCP address and port, or a Unix socket path.</summary>
public sealed record WebEndpoint
{
    /// <summary>The TCP address; null for a Unix socket.</summary>
    public IPEndPoint? Tcp { get; init; }

    /// <summary>The Unix socket path; null for TCP.</summary>
    public string? UnixPath { get; init; }

    public override string ToString() => UnixPath is { } p ? "unix:" + p : Tcp!.ToString();

    /// <summary>
    /// Parses <c>ADDR:PORT</c> (IPv4, or IPv6 in brackets) or <c>unix:/absolute/path</c>. An address
    /// is required: the listener binds only where it is told, never to every address by default.
    /// </summary>
    public static bool TryParse(string? text, out WebEndpoint? endpoint, out string? error)
    {
        endpoint = null;
        error = null;
        if (string.IsNullOrEmpty(text))
        {
            error = "needs ADDR:PORT or unix:/PATH";
            return false;
        }

        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            string path = text["unix:".Length..];
            if (!path.StartsWith('/') || path.Length > 107)
            {
                error = $"'{path}' is not an absolute socket path of at most 107 bytes";
                return false;
            }

            endpoint = new WebEndpoint { UnixPath = path };
            return true;
        }

        if (!IPEndPoint.TryParse(text, out IPEndPoint? ip) || ip.Port == 0 || !text.Contains(':')
            || (ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !text.StartsWith('[')))
        {
            error = $"'{text}' is not ADDR:PORT (e.g. 127.0.0.1:9180 or [::1]:9180) with a port 1..65535";
            return false;
        }

        endpoint = new WebEndpoint { Tcp = ip };
        return true;
    }
}
