using System.Net;
using System.Net.Sockets;
using Lvs.Core.Packets;
using Lvs.Linux;

namespace Lvs.Agent.Tests.Root;

/// <summary>
/// Neighbour discovery by hand from a test namespace (RFC 4861 §4.3, §4.4): a raw ICMPv6 socket
/// sends solicitations with hop limit 255 (the kernel fills in the ICMPv6 checksum) and reads
/// the advertisements and solicitations other hosts send. Every wait is bounded.
/// </summary>
internal sealed class NeighbourProbe : IDisposable
{
    private const byte TypeSolicitation = 135;
    private const byte TypeAdvertisement = 136;

    private readonly Socket _socket;
    private readonly byte[] _mac;
    private readonly uint _ifIndex;

    private NeighbourProbe(Socket socket, byte[] mac, uint ifIndex)
    {
        _socket = socket;
        _mac = mac;
        _ifIndex = ifIndex;
    }

    /// <summary>Opens the probe in <paramref name="ns"/>, sending from <paramref name="source"/> out of <paramref name="device"/>.</summary>
    public static NeighbourProbe Open(AgentNamespace ns, string device, IPAddress source)
    {
        byte[] mac = Convert.FromHexString(
            AgentNamespace.Run("ip", "netns", "exec", ns.Name, "cat", $"/sys/class/net/{device}/address").Trim().Replace(":", "", StringComparison.Ordinal));
        uint ifIndex = uint.Parse(
            AgentNamespace.Run("ip", "netns", "exec", ns.Name, "cat", $"/sys/class/net/{device}/ifindex").Trim(),
            System.Globalization.CultureInfo.InvariantCulture);
        Socket socket = NetNs.Run(ns.Name, () =>
        {
            var s = new Socket(AddressFamily.InterNetworkV6, SocketType.Raw, ProtocolType.IcmpV6);
            s.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.IpTimeToLive, 255);
            s.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastTimeToLive, 255);
            s.Bind(new IPEndPoint(source, 0));
            s.ReceiveTimeout = 100;
            return s;
        });
        return new NeighbourProbe(socket, mac, ifIndex);
    }

    /// <summary>
    /// Sends a solicitation for <paramref name="target"/> to <paramref name="destination"/> (unicast,
    /// or the target's solicited-node group when null) and returns the targets of the
    /// advertisements that arrive for it within <paramref name="wait"/>.
    /// </summary>
    public List<IPAddress> Solicit(IPAddress target, IPAddress? destination, TimeSpan wait)
    {
        Drain();
        var message = new byte[32];
        message[0] = TypeSolicitation;
        target.TryWriteBytes(message.AsSpan(8), out _);
        message[24] = 1; // source link-layer address option, 1 unit of 8 bytes
        message[25] = 1;
        _mac.CopyTo(message, 26);
        IPAddress to = destination ?? Ndp.SolicitedNodeMulticast(Ipv6Address.ReadFrom(target.GetAddressBytes())).ToIPAddress();
        if (to.IsIPv6Multicast)
        {
            to = new IPAddress(to.GetAddressBytes(), _ifIndex);
        }

        _socket.SendTo(message, new IPEndPoint(to, 0));
        var answers = new List<IPAddress>();
        foreach ((byte type, IPAddress _, IPAddress messageTarget) in Read(wait))
        {
            if (type == TypeAdvertisement && messageTarget.Equals(target))
            {
                answers.Add(messageTarget);
            }
        }

        return answers;
    }

    /// <summary>The source addresses of solicitations for <paramref name="target"/> that arrive within <paramref name="wait"/>.</summary>
    public List<IPAddress> SolicitationSourcesFor(IPAddress target, TimeSpan wait, Func<bool> stopEarly)
    {
        var sources = new List<IPAddress>();
        var deadline = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < deadline && !stopEarly())
        {
            foreach ((byte type, IPAddress source, IPAddress messageTarget) in Read(TimeSpan.FromMilliseconds(200)))
            {
                if (type == TypeSolicitation && messageTarget.Equals(target))
                {
                    sources.Add(source);
                }
            }

            if (sources.Count > 0)
            {
                break;
            }
        }

        return sources;
    }

    public void Dispose() => _socket.Dispose();

    private List<(byte Type, IPAddress Source, IPAddress Target)> Read(TimeSpan wait)
    {
        var seen = new List<(byte, IPAddress, IPAddress)>();
        var buffer = new byte[1500];
        var deadline = DateTime.UtcNow + wait;
        while (DateTime.UtcNow < deadline)
        {
            EndPoint from = new IPEndPoint(IPAddress.IPv6Any, 0);
            int n;
            try
            {
                n = _socket.ReceiveFrom(buffer, ref from);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
            {
                continue;
            }

            if (n >= 24 && buffer[0] is TypeSolicitation or TypeAdvertisement)
            {
                var source = ((IPEndPoint)from).Address;
                seen.Add((buffer[0], new IPAddress(source.GetAddressBytes()), new IPAddress(buffer.AsSpan(8, 16))));
            }
        }

        return seen;
    }

    private void Drain() => Read(TimeSpan.FromMilliseconds(50));
}
