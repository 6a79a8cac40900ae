using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO;

namespace Lvs.Daemon.DataPath;

/// <summary>One served interface: its packet I/O (AF_PACKET or AF_XDP) and its own addresses.</summary>
public sealed class Port : IDisposable
{
    public Port(string name, int ifIndex, MacAddress mac, IPacketPort io)
    {
        Name = name;
        IfIndex = ifIndex;
        Mac = mac;
        Io = io;
    }

    public string Name { get; }

    public int IfIndex { get; }

    public MacAddress Mac { get; }

    /// <summary>Receive and transmit: <see cref="AfPacketPort"/> or <see cref="Lvs.Linux.PacketIO.Xdp.XdpPacketPort"/>.</summary>
    public IPacketPort Io { get; }

    public void Dispose() => Io.Dispose();
}
