using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO;

namespace Lvs.Daemon.DataPath;

/// <summary>One served interface: its receive ring, its transmit queue and its own addresses.</summary>
public sealed class Port : IDisposable
{
    public Port(string name, int ifIndex, MacAddress mac, PacketRing ring, PacketSender sender)
    {
        Name = name;
        IfIndex = ifIndex;
        Mac = mac;
        Ring = ring;
        Sender = sender;
    }

    public string Name { get; }

    public int IfIndex { get; }

    public MacAddress Mac { get; }

    public PacketRing Ring { get; }

    public PacketSender Sender { get; }

    public void Dispose()
    {
        Ring.Dispose();
        Sender.Dispose();
    }
}
