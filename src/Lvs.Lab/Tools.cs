namespace Lvs.Lab;

/// <summary>Finds the external programs the lab drives and says which Debian package brings each.</summary>
public static class Tools
{
    /// <summary>Debian package for each tool the lab may need.</summary>
    public static readonly IReadOnlyDictionary<string, string> DebianPackages = new Dictionary<string, string>
    {
        ["ip"] = "iproute2",
        ["nginx"] = "nginx",
        ["nft"] = "nftables",
        ["curl"] = "curl",
        ["wrk"] = "wrk",
        ["ethtool"] = "ethtool",
        ["sysctl"] = "procps",
        ["kill"] = "procps",
        ["dnsmasq"] = "dnsmasq-base",
        ["dig"] = "bind9-dnsutils",
        ["ping"] = "iputils-ping",
    };

    /// <summary>Tools the demo needs.</summary>
    public static readonly string[] ForDemo = ["ip", "nginx", "nft", "curl", "sysctl", "kill"];

    /// <summary>Tools the end-to-end tests need.</summary>
    public static readonly string[] ForTests = ["ip", "nginx", "nft", "curl", "wrk", "sysctl", "kill"];

    /// <summary>Tools the UDP end-to-end tests need besides <see cref="ForTests"/>: DNS servers and a DNS client.</summary>
    public static readonly string[] ForDnsTests = ["dnsmasq", "dig"];

    /// <summary>Tools the IPv6 topology tests need besides <see cref="ForTests"/>: ping, for ICMPv6 echo.</summary>
    public static readonly string[] ForPingTests = ["ping"];

    // sudo and cron often leave sbin off PATH, yet ip, nft and nginx live there.
    private static readonly string[] ExtraDirectories = ["/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/bin", "/bin"];

    /// <summary>True when this process runs as root (network namespaces need it).</summary>
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>The full path of <paramref name="program"/>, or the name itself if it is a path or not found.</summary>
    public static string Resolve(string program) => Find(program) ?? program;

    /// <summary>The full path of <paramref name="program"/> on PATH or in the sbin directories, or null.</summary>
    public static string? Find(string program)
    {
        if (program.Contains('/'))
        {
            return File.Exists(program) ? program : null;
        }

        string path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (string dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(ExtraDirectories))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The tools of <paramref name="needed"/> that are not installed, each with its Debian package.</summary>
    public static IReadOnlyList<(string Tool, string Package)> Missing(IEnumerable<string> needed) =>
        needed.Where(t => Find(t) is null)
            .Select(t => (t, DebianPackages.TryGetValue(t, out string? p) ? p : t))
            .ToList();

    /// <summary>
    /// Why the lab cannot run here (not root, or a tool missing and which package brings it), or
    /// null when it can.
    /// </summary>
    public static string? WhyNotRunnable(IEnumerable<string> needed)
    {
        if (!IsRoot)
        {
            return "needs root: network namespaces and nftables require it";
        }

        var missing = Missing(needed);
        if (missing.Count == 0)
        {
            return null;
        }

        string tools = string.Join(", ", missing.Select(m => m.Tool));
        string packages = string.Join(' ', missing.Select(m => m.Package).Distinct());
        return $"missing {tools}: apt-get install {packages}";
    }
}
