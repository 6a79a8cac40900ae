using System.Net;
using System.Net.Sockets;

namespace Lvs.Lab;

/// <summary>
/// Lets the operator's browser see the dashboard of an lvsd that runs inside a lab namespace.
/// lvsd serves its web listener on a Unix socket (a file, reachable from every namespace); this
/// listens on 127.0.0.1 in the root namespace and copies bytes between each browser connection
/// and that socket. Loopback only, never lab traffic; at most <see cref="MaxConnections"/> at once.
/// </summary>
public sealed class WebProxy : IDisposable
{
    /// <summary>The port tried first; when it is taken, any free port.</summary>
    public const int DefaultPort = 9180;

    public const int MaxConnections = 32;

    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _slots = new(MaxConnections);
    private readonly Task _accepting;
    private volatile string? _target;

    private WebProxy(TcpListener listener)
    {
        _listener = listener;
        _accepting = Task.Run(AcceptLoop);
    }

    /// <summary>The URL to open in a browser.</summary>
    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/";

    /// <summary>The Unix socket connections go to; null refuses them (between two labs of the demo).</summary>
    public string? Target
    {
        get => _target;
        set => _target = value;
    }

    /// <summary>Listens on 127.0.0.1:<paramref name="port"/>, or on any free port when that is taken.</summary>
    public static WebProxy Start(int port = DefaultPort)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start(16);
        }
        catch (SocketException) when (port != 0)
        {
            listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start(16);
        }

        return new WebProxy(listener);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(2));
        }
        catch (AggregateException)
        {
            // The accept loop ends with the listener; its exception says only that.
        }

        _stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                await _slots.WaitAsync(_stop.Token);
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(Socket client)
    {
        using (client)
        {
            try
            {
                string? target = _target;
                if (target is null)
                {
                    return;
                }

                using var upstream = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await upstream.ConnectAsync(new UnixDomainSocketEndPoint(target), _stop.Token);
                using var a = new NetworkStream(client, ownsSocket: false);
                using var b = new NetworkStream(upstream, ownsSocket: false);

                // Either side closing ends both directions.
                Task first = await Task.WhenAny(Pump(a, b, upstream), Pump(b, a, client));
                await first;
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The browser or lvsd went away: nothing to report to either.
            }
            finally
            {
                _slots.Release();
            }
        }
    }

    private async Task Pump(Stream from, Stream to, Socket toSocket)
    {
        await from.CopyToAsync(to, 16 * 1024, _stop.Token);
        toSocket.Shutdown(SocketShutdown.Send);
    }
}
