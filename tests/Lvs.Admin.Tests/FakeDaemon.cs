using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text.Json;
using Lvs.Contracts;

namespace Lvs.Admin.Tests;

/// <summary>
/// A stand-in for lvsd: a Unix socket on a temporary path that reads each request line with
/// the contract's JSON context, records it and answers with a canned response.
/// </summary>
internal sealed class FakeDaemon : IDisposable
{
    private readonly Socket _listener;
    private readonly Thread _thread;
    private readonly Func<ControlRequest, ControlResponse> _answer;

    public FakeDaemon(Func<ControlRequest, ControlResponse> answer)
    {
        _answer = answer;
        SocketPath = Path.Combine(Path.GetTempPath(), $"lvsadm-test-{Guid.NewGuid():N}.sock");
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(SocketPath));
        _listener.Listen(8);
        _thread = new Thread(Serve) { IsBackground = true, Name = "fake lvsd" };
        _thread.Start();
    }

    public string SocketPath { get; }

    public ConcurrentQueue<ControlRequest> Requests { get; } = new();

    private void Serve()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (SocketException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            using (client)
            {
                client.ReceiveTimeout = 5000;
                string? line = ControlSocket.ReadLine(client);
                ControlRequest request = JsonSerializer.Deserialize(line!, ControlJsonContext.Default.ControlRequest)!;
                Requests.Enqueue(request);
                byte[] reply = JsonSerializer.SerializeToUtf8Bytes(_answer(request), ControlJsonContext.Default.ControlResponse);
                client.Send(reply);
                client.Send("\n"u8);
                client.Shutdown(SocketShutdown.Both);
            }
        }
    }

    public void Dispose()
    {
        _listener.Dispose();
        _thread.Join(TimeSpan.FromSeconds(5));
        File.Delete(SocketPath);
    }
}
