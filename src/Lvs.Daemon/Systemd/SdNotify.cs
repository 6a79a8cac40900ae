using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Lvs.Linux;

namespace Lvs.Daemon.Systemd;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram per state change to the AF_UNIX socket named
/// by $NOTIFY_SOCKET (a path, or an abstract name written with a leading '@'). systemd sets the
/// variable for Type=notify units; without it every call does nothing.
/// </summary>
public sealed class SdNotify : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _target;

    private SdNotify(Socket socket, UnixDomainSocketEndPoint target)
    {
        _socket = socket;
        _target = target;
    }

    /// <summary>The notifier for $NOTIFY_SOCKET, or null when it is unset or unusable (said in the log).</summary>
    public static SdNotify? FromEnvironment() => Create(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    /// <summary>A notifier for the given NOTIFY_SOCKET value; null when empty or unusable.</summary>
    public static SdNotify? Create(string? notifySocket)
    {
        if (string.IsNullOrEmpty(notifySocket))
        {
            return null;
        }

        string name;
        if (notifySocket[0] == '@')
        {
            name = "\0" + notifySocket[1..];
        }
        else if (notifySocket[0] == '/')
        {
            name = notifySocket;
        }
        else
        {
            // systemd also allows vsock: addresses (for VMs); lvsd does not run where that matters.
            Log.Warn("NOTIFY_SOCKET ignored: not a path or an abstract name", ("value", notifySocket));
            return null;
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        return new SdNotify(socket, new UnixDomainSocketEndPoint(name));
    }

    /// <summary>READY=1, with a status line for systemctl status.</summary>
    public bool Ready(string status) => Send($"READY=1\nSTATUS={status}");

    /// <summary>RELOADING=1 with the monotonic time, as Type=notify-reload wants it too.</summary>
    public bool Reloading() => Send($"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds().ToString(CultureInfo.InvariantCulture)}");

    public bool Stopping() => Send("STOPPING=1");

    /// <summary>Sends one notification; false (and a warning) when systemd's socket is gone.</summary>
    public bool Send(string state)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _target);
            return true;
        }
        catch (SocketException e)
        {
            Log.Warn("sd_notify failed", ("state", state.Replace('\n', ' ')), ("error", e.Message));
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();

    // On Linux, Stopwatch reads CLOCK_MONOTONIC, the clock systemd means by MONOTONIC_USEC.
    private static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));
}
