using System.Net;
using System.Net.Sockets;
using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO.Xdp;
using Lvs.Linux.Steering;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>Marking rules swapped into the attached program, and IPv6 neighbours resolved by the kernel.</summary>
public partial class XdpPacketPortTests
{
    [RootFact]
    public void ApplySteering_MarkRulesAddedThenRemoved_ProgramSwappedAndOnlyMarkedFramesArrive()
    {
        using var pair = VethPair.Create();
        pair.A.Ip("addr", "add", "192.0.2.10/32", "dev", "veth0");
        pair.B.Ip("route", "add", "192.0.2.0/24", "via", "198.51.100.1", "dev", "veth1");
        var vip = IPAddress.Parse("192.0.2.10");
        // ip daddr 192.0.2.0/24 udp dport 9000-9010 meta mark set 5
        var rule = new MarkRule(5, "udp", [new Prefix4(RoutingView.ToUInt32(IPAddress.Parse("192.0.2.0")), 24)], [],
            [new PortSpan(9000, 9010)], [], Handle: 12);
        using var port = NetNs.Run(pair.A.Name, () => XdpPacketPort.Open("veth0"));
        var spec = new SteeringSpec { Devices = ["veth0"], LocalAddresses = [VethPair.AddressA], MarkedTraffic = [rule] };

        Assert.Empty(port.ApplySteering(spec));
        Assert.Empty(port.ApplySteering(spec with { }));   // unchanged rules: no new program
        Assert.Equal(5, SendAndCount(pair, port, vip, [9005, 9999]));
        Assert.Equal(5ul, port.Program.ReadCounter(XdpCounter.RedirectedMarked));
        Assert.Contains("xdp", pair.A.Ip("link", "show", "dev", "veth0"), StringComparison.Ordinal);

        Assert.Empty(port.ApplySteering(spec with { MarkedTraffic = [] }));
        Assert.Equal(0, SendAndCount(pair, port, vip, [9005]));
        Assert.Equal(5ul, port.Program.ReadCounter(XdpCounter.RedirectedMarked));
    }

    [RootFact]
    public void RequestNeighbourFromKernel6_EmptyTable_KernelResolvesThroughTheAttachedProgram()
    {
        using var pair = VethPair.Create();
        pair.A.Ip("-6", "addr", "add", "2001:db8:c::1/64", "dev", "veth0", "nodad");
        pair.B.Ip("-6", "addr", "add", "2001:db8:c::2/64", "dev", "veth1", "nodad");
        using var port = NetNs.Run(pair.A.Name, () => XdpPacketPort.Open("veth0"));
        pair.A.Ip("-6", "neigh", "flush", "dev", "veth0");

        Assert.True(NetNs.Run(pair.A.Name, () => port.RequestNeighbourFromKernel6(Ip6.FromIPAddress(IPAddress.Parse("2001:db8:c::2")))));

        string mac = Convert.ToHexStringLower(pair.B.MacOf("veth1"));
        string neigh = string.Empty;
        var until = DateTime.UtcNow.AddSeconds(3);
        while (DateTime.UtcNow < until && !neigh.Contains(mac, StringComparison.Ordinal))
        {
            Thread.Sleep(50);
            neigh = pair.A.Ip("-6", "neigh", "show", "2001:db8:c::2", "dev", "veth0").Replace(":", string.Empty, StringComparison.Ordinal);
        }

        Assert.Contains(mac, neigh, StringComparison.Ordinal);
    }

    // Five UDP datagrams from B to each port of the VIP; returns how many reached the port's socket.
    private static int SendAndCount(VethPair pair, XdpPacketPort port, IPAddress vip, int[] ports)
    {
        NetNs.Run(pair.B.Name, () =>
        {
            using var udp = new UdpClient(new IPEndPoint(VethPair.AddressB, 40001));
            for (int i = 0; i < 5; i++)
            {
                foreach (int p in ports)
                {
                    udp.Send("marked?"u8.ToArray(), new IPEndPoint(vip, p));
                }
            }

            return 0;
        });
        var capture = new XskCapture();
        var deadline = DateTime.UtcNow.AddSeconds(1);
        while (DateTime.UtcNow < deadline)
        {
            port.Drain(ref capture, 64);
            Thread.Sleep(10);
        }

        Assert.All(capture.Frames, f => Assert.Equal(9005, (f.Bytes[36] << 8) | f.Bytes[37]));
        return capture.Frames.Count;
    }
}
