using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Lvs.Contracts;

/// <summary>
/// Where lvsd's control socket lives and how a client talks to it: one connection per
/// request, the request as one JSON line, the response as one JSON line.
/// </summary>
public static class ControlSocket
{
    public const string DefaultPath = "/run/lvsd/lvsd.sock";
    public const string EnvironmentVariable = "LVSD_CONTROL";

    /// <summary>Largest request or response line either side accepts.</summary>
    public const int MaxMessageBytes = 16 << 20;

    /// <summary>The path to use: the explicit one, else $LVSD_CONTROL, else the default.</summary>
    public static string Resolve(string? explicitPath)
    {
        if (!string.IsNullOrEmpty(explicitPath))
        {
            return explicitPath;
        }

        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrEmpty(env) ? DefaultPath : env;
    }

    /// <summary>Sends one request and waits for its response.</summary>
    /// <exception cref="ControlUnavailableException">No daemon listens at <paramref name="path"/>.</exception>
    public static ControlResponse Send(string path, ControlRequest request, TimeSpan? timeout = null)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        int ms = (int)(timeout ?? TimeSpan.FromSeconds(10)).TotalMilliseconds;
        socket.SendTimeout = ms;
        socket.ReceiveTimeout = ms;
        try
        {
            socket.Connect(new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AddressNotAvailable
                                          or SocketError.ConnectionRefused
                                          or SocketError.AccessDenied
                                          or SocketError.InvalidArgument
                                          || !File.Exists(path))
        {
            throw new ControlUnavailableException(path, e.Message);
        }

        byte[] payload = JsonSerializer.SerializeToUtf8Bytes(request, ControlJsonContext.Default.ControlRequest);
        socket.Send(payload);
        socket.Send("\n"u8);
        socket.Shutdown(SocketShutdown.Send);

        string line = ReadLine(socket) ?? throw new ControlUnavailableException(path, "the daemon closed the connection without answering");
        return JsonSerializer.Deserialize(line, ControlJsonContext.Default.ControlResponse)
               ?? throw new ControlUnavailableException(path, "the daemon sent an empty answer");
    }

    /// <summary>Reads one newline-terminated UTF-8 line, at most <see cref="MaxMessageBytes"/> long.</summary>
    public static string? ReadLine(Socket socket)
    {
        var buffer = new MemoryStream();
        Span<byte> chunk = stackalloc byte[4096];
        while (true)
        {
            int n = socket.Receive(chunk);
            if (n == 0)
            {
                break;
            }

            int nl = chunk[..n].IndexOf((byte)'\n');
            if (nl >= 0)
            {
                buffer.Write(chunk[..nl]);
                break;
            }

            buffer.Write(chunk[..n]);
            if (buffer.Length > MaxMessageBytes)
            {
                throw new InvalidDataException("control message too long");
            }
        }

        return buffer.Length == 0 ? null : Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}

/// <summary>No lvsd answers on the control socket.</summary>
public sealed class ControlUnavailableException(string path, string detail)
    : Exception($"cannot reach lvsd at {path}: {detail}")
{
    public string SocketPath { get; } = path;
}
