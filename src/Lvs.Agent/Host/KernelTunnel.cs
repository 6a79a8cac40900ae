using Lvs.Agent.Decap;

namespace Lvs.Agent.Host;

/// <summary>
/// Uses the kernel's own decapsulation when its module is there: ipip (device tunl0), ip_gre
/// (gre0), and for GUE fou (`ip fou add port N gue`, which hands the inner packet to ipip, so
/// tunl0 too). The module is recognised by /sys/module/NAME, or by a probe device that the
/// kernel can create only with the module (created and deleted at once).
/// </summary>
internal static class KernelTunnel
{
    private const string ProbeDevice = "lvsprobe0";

    /// <summary>The fallback device that receives the tunnel's packets, or null when the kernel cannot decapsulate.</summary>
    public static string? Device(TunnelType type) => type switch
    {
        TunnelType.Ipip => HasModule("ipip", "ipip") ? "tunl0" : null,
        TunnelType.Gre => HasModule("ip_gre", "gre") ? "gre0" : null,
        _ => HasModule("ipip", "ipip") && Directory.Exists("/sys/module/fou") ? "tunl0" : null,
    };

    /// <summary>
    /// Sets the kernel path up: the GUE port (GUE only), the fallback device up, and rp_filter=0 on
    /// it and on all, because decapsulated packets come in on the tunnel device while the route
    /// back to their source goes out another.
    /// </summary>
    public static void Setup(HostChanges host, TunnelType type, ushort port, string device)
    {
        if (type == TunnelType.Gue)
        {
            string p = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            host.RunReversible(["ip", "fou", "add", "port", p, "gue"], ["ip", "fou", "del", "port", p]);
        }

        string flags = HostChanges.Ip("-o", "link", "show", "dev", device);
        if (!flags.Contains("<UP", StringComparison.Ordinal) && !flags.Contains(",UP", StringComparison.Ordinal))
        {
            host.RunReversible(["ip", "link", "set", "dev", device, "up"], ["ip", "link", "set", "dev", device, "down"]);
        }

        host.SetSysctl($"net/ipv4/conf/{device}/rp_filter", "0");
        host.SetSysctl("net/ipv4/conf/all/rp_filter", "0");
    }

    private static bool HasModule(string module, string linkType)
    {
        if (Directory.Exists($"/sys/module/{module}"))
        {
            return true;
        }

        if (!HostChanges.TryRun(["ip", "link", "add", "name", ProbeDevice, "type", linkType], out _))
        {
            return false;
        }

        _ = HostChanges.TryRun(["ip", "link", "del", "dev", ProbeDevice], out _);
        return true;
    }
}
