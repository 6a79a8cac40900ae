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
}
