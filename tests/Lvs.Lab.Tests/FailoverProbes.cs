using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Lvs.Lab;
using Lvs.Linux;

namespace Lvs.Lab.Tests;

/// <summary>
/// The failover measurements, taken in this process from a thread inside the namespace instead
/// of by starting ip or curl for every try: on a loaded 2-CPU machine starting a process took up
/// to several hundred milliseconds, which the readings then counted as failover time.
/// </summary>
internal static class FailoverProbes
{
    private static readonly IPAddress Vip = IPAddress.Parse(LabTopology.Vip);

    /// <summary>True when <paramref name="ns"/>'s eth0 holds the VIP (getifaddrs, i.e. netlink, in that namespace).</summary>
    public static bool HasVip(string ns) => NetNs.Run(ns, () =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.Name == "eth0")
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Any(a => a.Address.Equals(Vip)));

    /// <summary>
    /// One HTTP/1.0 GET to the VIP over a new connection from <paramref name="ns"/>, given
    /// <paramref name="timeout"/> in all; true when a status line came back.
    /// </summary>
    public static bool Get(string ns, TimeSpan timeout) => NetNs.Run(ns, () =>
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            if (!socket.ConnectAsync(new IPEndPoint(Vip, 80)).Wait(timeout))
            {
                return false;
            }

            socket.Send("GET / HTTP/1.0\r\nHost: lab\r\n\r\n"u8);
            int left = (int)Math.Max(1, (deadline - DateTime.UtcNow).TotalMilliseconds);
            socket.ReceiveTimeout = left;
            var buffer = new byte[64];
            int n = socket.Receive(buffer);
            return n >= 8 && Encoding.ASCII.GetString(buffer, 0, 8).StartsWith("HTTP/1.", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or AggregateException)
        {
            return false;
        }
    });
}
