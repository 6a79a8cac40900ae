using System.Net;
using System.Net.Sockets;
using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO;
using Lvs.Linux.PacketIO.Xdp;
using Lvs.Linux.Steering;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>The XDP port lvsd uses (needs root): steering from a spec, receive, kernel-resolved neighbours, cleanup.</summary>
public partial class XdpPacketPortTests
{
    [RootFact]
    public void ApplySteering_SpecChanges_MapsFollowAndFramesArrive()
    {
        using var pair = VethPair.Create();
        pair.A.Ip("addr", "add", "192.0.2.10/32", "dev", "veth0");
        pair.B.Ip("route", "add", "192.0.2.0/24", "via", "198.51.100.1", "dev", "veth1");
        using (var port = NetNs.Run(pair.A.Name, () => XdpPacketPort.Open("veth0")))
        {
            Assert.Equal("xdp-native", port.Kind);
            Assert.Single(port.PollFds);
            var vip = IPAddress.Parse("192.0.2.10");
            port.ApplySteering(new SteeringSpec
            {
                Devices = ["veth0"],
                Services = [new SteeredEndpoint(vip, SteeringProtocol.Udp, 9999), new SteeredEndpoint(vip, SteeringProtocol.Udp, 9000)],
                LocalAddresses = [VethPair.AddressA],
            });
            port.ApplySteering(new SteeringSpec
            {
                Devices = ["veth0"],
                Services = [new SteeredEndpoint(vip, SteeringProtocol.Udp, 9999)],
                LocalAddresses = [VethPair.AddressA],
            });

            NetNs.Run(pair.B.Name, () =>
            {
                using var udp = new UdpClient(new IPEndPoint(VethPair.AddressB, 40000));
                for (int i = 0; i < 5; i++)
                {
                    udp.Send("steered"u8.ToArray(), new IPEndPoint(vip, 9999));
                    udp.Send("removed"u8.ToArray(), new IPEndPoint(vip, 9000));
                }

                return 0;
            });
            var capture = new XskCapture();
            var deadline = DateTime.UtcNow.AddSeconds(3);
            while (capture.Frames.Count < 5 && DateTime.UtcNow < deadline)
            {
                port.Drain(ref capture, 64);
                Thread.Sleep(10);
            }

            Assert.Equal(5, capture.Frames.Count);
            Assert.All(capture.Frames, f => Assert.Equal(9999, (f.Bytes[36] << 8) | f.Bytes[37]));
            Assert.Equal(5ul, port.Program.ReadCounter(XdpCounter.RedirectedService));
            Assert.Equal(default, port.ReadDrops());

            // The kernel resolves B for us: its neighbour table gets B's MAC.
            uint b = RoutingView.ToUInt32(VethPair.AddressB);
            pair.A.Ip("neigh", "flush", "dev", "veth0");
            Assert.True(NetNs.Run(pair.A.Name, () => port.RequestNeighbourFromKernel(b)));
            string mac = Convert.ToHexStringLower(pair.B.MacOf("veth1"));
            var until = DateTime.UtcNow.AddSeconds(3);
            string neigh = string.Empty;
            while (DateTime.UtcNow < until)
            {
                neigh = pair.A.Ip("neigh", "show", "198.51.100.2", "dev", "veth0");
                if (neigh.Replace(":", string.Empty, StringComparison.Ordinal).Contains(mac, StringComparison.Ordinal))
                {
                    break;
                }

                Thread.Sleep(50);
            }

            Assert.Contains(mac, neigh.Replace(":", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        }

        Assert.DoesNotContain("xdp", pair.A.Ip("link", "show", "dev", "veth0"), StringComparison.Ordinal);
    }
}
