using System.Net;
using System.Net.Sockets;

namespace Lvs.Health.Tests.TestSupport;

/// <summary>
/// A TCP server on 127.0.0.1 (the test process's own loopback) that treats every accepted
/// connection with a scripted behaviour: answer, hang, reset, stream garbage... Disposing stops
/// accepting and closes every connection it holds.
/// </summary>
internal sealed class FakeTcpServer : IDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _connections = [];

    public FakeTcpServer(Func<Socket, CancellationToken, Task> behaviour, int backlog = 64, bool accept = true)
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(backlog);
        if (accept)
        {
            _ = AcceptLoopAsync(behaviour);
        }
    }

    public ushort Port => (ushort)((IPEndPoint)_listener.LocalEndPoint!).Port;

    public CheckTarget Target => new(IPAddress.Loopback, Port);

    public int Accepted { get; private set; }

    private async Task AcceptLoopAsync(Func<Socket, CancellationToken, Task> behaviour)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            lock (_connections)
            {
                _connections.Add(client);
                Accepted++;
            }
            _ = Task.Run(async () =>
            {
                try
                {
                    await behaviour(client, _stop.Token);
                }
                catch (Exception)
                {
                    // The checker hung up: expected for most misbehaviours.
                }
            });
        }
    }

    /// <summary>Reads until the blank line ending an HTTP request (bounded by 64 KiB).</summary>
    public static async Task ReadRequestAsync(Socket socket, CancellationToken ct)
    {
        var buffer = new byte[65536];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(filled), ct);
            if (n == 0)
            {
                return;
            }
            filled += n;
            if (buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8) >= 0)
            {
                return;
            }
        }
    }

    public static void Reset(Socket socket)
    {
        socket.LingerState = new LingerOption(true, 0);
        socket.Close();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
        lock (_connections)
        {
            foreach (var c in _connections)
            {
                c.Dispose();
            }
        }
    }
}
