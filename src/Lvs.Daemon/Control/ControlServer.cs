using System.Net.Sockets;
using System.Text.Json;
using Lvs.Contracts;

namespace Lvs.Daemon.Control;

/// <summary>
/// The control socket: a Unix stream socket, mode 0600, one JSON request line and one JSON
/// response line per connection. Requests are applied one at a time, in arrival order.
/// </summary>
public sealed class ControlServer : IDisposable
{
    private readonly string _path;
    private readonly Func<ControlRequest, ControlResponse> _handle;
    private readonly Socket _listener;
    private readonly Thread _thread;
    private volatile bool _stopping;

    public ControlServer(string path, Func<ControlRequest, ControlResponse> handle)
    {
        _path = path;
        _handle = handle;
        string? dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        RemoveStaleSocket(path);
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(path));
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _listener.Listen(64);
        _thread = new Thread(Run) { IsBackground = true, Name = "lvsd-control" };
    }

    public void Start() => _thread.Start();

    public void Dispose()
    {
        _stopping = true;
        _listener.Dispose();
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A socket file left by a crashed run is removed; a live daemon's socket is not.</summary>
    private static void RemoveStaleSocket(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException)
        {
            File.Delete(path);
            return;
        }

        throw new InvalidOperationException($"another lvsd is already listening on {path}");
    }

    private void Run()
    {
        while (!_stopping)
        {
            Socket client;
            try
            {
                client = _listener.Accept();
            }
            catch (Exception) when (_stopping)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            using (client)
            {
                Serve(client);
            }
        }
    }

    private void Serve(Socket client)
    {
        client.ReceiveTimeout = 5000;
        client.SendTimeout = 5000;
        ControlResponse response;
        try
        {
            string? line = ControlSocket.ReadLine(client);
            ControlRequest? request = line is null ? null : JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlRequest);
            response = request is null
                ? ControlResponse.Fail(ControlError.Invalid, "empty request")
                : _handle(request);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or SocketException)
        {
            response = ControlResponse.Fail(ControlError.Invalid, $"bad request: {e.Message}");
        }

        try
        {
            byte[] payload = JsonSerializer.SerializeToUtf8Bytes(response, ControlJsonContext.Default.ControlResponse);
            client.Send(payload);
            client.Send("\n"u8);
        }
        catch (SocketException)
        {
            // The client went away; nothing to tell it.
        }
    }
}
