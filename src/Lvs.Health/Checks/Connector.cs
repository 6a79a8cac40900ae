using System.Net;
using System.Net.Sockets;

namespace Lvs.Health.Checks;

/// <summary>Opens the sockets checks use: bound to bindto/bind_port when set, connected within the caller's token.</summary>
internal static class Connector
{
    public static async Task<Socket> ConnectTcpAsync(IPEndPoint remote, IPEndPoint? local, CancellationToken ct)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (local is not null)
            {
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(local);
            }
            await socket.ConnectAsync(remote, ct).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static Socket OpenUdp(IPEndPoint remote, IPEndPoint? local)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (local is not null)
            {
                socket.Bind(local);
            }
            // Connected, so the kernel filters replies by source and reports ICMP port unreachable as ECONNREFUSED.
            socket.Connect(remote);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Closes with RST rather than FIN, so a check leaves no TIME_WAIT behind on the director.</summary>
    public static void Abort(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        socket.Dispose();
    }

    /// <summary>Turns the exception of a failed attempt into a short reason; cancellation by the caller is rethrown.</summary>
    public static CheckResult Failure(Exception e, TimeSpan timeout, CancellationToken callerToken)
    {
        if (e is OperationCanceledException)
        {
            callerToken.ThrowIfCancellationRequested();
            return new CheckResult(false, $"timed out after {timeout.TotalSeconds:0.###} s");
        }
        return e switch
        {
            SocketException se => new CheckResult(false, se.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.ConnectionReset => "connection reset",
                SocketError.TimedOut => "timed out",
                SocketError.HostUnreachable => "host unreachable",
                SocketError.NetworkUnreachable => "network unreachable",
                var code => $"socket error {code}",
            }),
            IOException { InnerException: SocketException inner } => Failure(inner, timeout, callerToken),
            System.Security.Authentication.AuthenticationException ae => new CheckResult(false, $"TLS handshake failed: {ae.Message}"),
            IOException io => new CheckResult(false, $"I/O error: {io.Message}"),
            _ => new CheckResult(false, $"{e.GetType().Name}: {e.Message}"),
        };
    }
}
