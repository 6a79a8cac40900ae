using Lvs.Linux;
using Lvs.Linux.Interop;
using Lvs.Linux.PacketIO;
using Lvs.Linux.PacketIO.Xdp;

namespace Lvs.Daemon;

/// <summary>Choosing each served interface's packet I/O (--io).</summary>
public sealed partial class DaemonHost
{
    /// <summary>
    /// AF_XDP when asked for and possible, else AF_PACKET: a failure to load, attach or bind XDP
    /// (old kernel, no BPF permission, a foreign XDP program on the interface) is logged with its
    /// reason and the interface is served through AF_PACKET instead, so lvsd still runs.
    /// </summary>
    private static IPacketPort OpenIo(string ifName, string io)
    {
        if (io == "xdp")
        {
            try
            {
                var port = XdpPacketPort.Open(ifName);
                if (port.StaleRemoved is { } stale)
                {
                    Log.Warn("removed a stale XDP program", ("interface", ifName), ("what", stale));
                }

                Log.Info("packet I/O", ("interface", ifName), ("io", port.Kind), ("queues", port.Sockets.Count));
                return port;
            }
            catch (Exception e) when (e is LinuxException or BpfVerifierException)
            {
                Log.Warn("XDP not available, using AF_PACKET", ("interface", ifName), ("reason", e.Message));
            }
        }

        return AfPacketPort.Open(ifName);
    }

    /// <summary>
    /// Puts the steering spec into every XDP port's maps. The XDP program matches addresses and
    /// ports only, not the operator's marking rules: fwmark traffic is not redirected, and the
    /// nftables rules still drop it at ingress, so fwmark services get nothing under --io xdp.
    /// Say so every time the spec has such traffic rather than let it vanish unexplained.
    /// </summary>
    private static void ApplyXdpSteering(IReadOnlyList<XdpPacketPort> ports, Lvs.Linux.Steering.SteeringSpec spec)
    {
        foreach (XdpPacketPort port in ports)
        {
            port.ApplySteering(spec);
        }

        if (spec.MarkedTraffic.Count > 0)
        {
            Log.Warn("fwmark services are not steered by the XDP program: their traffic is dropped; run lvsd with --io packet to serve them",
                ("rules", spec.MarkedTraffic.Count));
        }
    }
}
