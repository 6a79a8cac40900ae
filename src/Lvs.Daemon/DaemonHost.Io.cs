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
    private static IPacketPort OpenIo(string ifName, string io, RingKind ring)
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

        return AfPacketPort.Open(ifName, ring);
    }

    /// <summary>
    /// Puts the steering spec into every XDP port's maps and, when the marking rules changed,
    /// compiles them into a new program (fwmark services). A rule the program cannot take is named
    /// in the log with the reason: its traffic is not redirected, and the nftables rules still drop
    /// it at ingress. A failure to swap the program keeps the old one and is logged.
    /// </summary>
    private static void ApplyXdpSteering(IReadOnlyList<XdpPacketPort> ports, Lvs.Linux.Steering.SteeringSpec spec)
    {
        foreach (XdpPacketPort port in ports)
        {
            try
            {
                foreach (RefusedMarkRule r in port.ApplySteering(spec))
                {
                    Log.Warn("marking rule not steered by the XDP program: its traffic is dropped, not served",
                        ("interface", port.Name), ("mark", r.Rule.Mark), ("handle", r.Rule.Handle), ("reason", r.Reason));
                }
            }
            catch (Exception e) when (e is LinuxException or BpfVerifierException)
            {
                Log.Error("XDP program with the new marking rules not loaded; the previous rules stay",
                    ("interface", port.Name), ("reason", e.Message));
            }
        }
    }
}
