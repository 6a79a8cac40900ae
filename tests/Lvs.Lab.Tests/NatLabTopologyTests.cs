using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>The lab itself, with the kernel alone (no lvsd): addresses, isolation, cleanup.</summary>
public sealed class NatLabTopologyTests
{
    [RootFact]
    public void Create_ThreeRealServers_KernelPathsWorkAndRootNamespaceUntouched()
    {
        string rootLinksBefore = RootLinkNames();
        NatLab lab = NatLab.Create(new LabOptions { RealServerCount = 3 });
        string prefix = lab.Prefix;
        string temp = lab.TempDirectory;
        try
        {
            Assert.Matches("^lvs-[0-9a-f]{6}$", prefix);
            Assert.Equal(["rs1", "rs2", "rs3"], lab.RealServers.Select(r => r.Name));
            Assert.Equal(rootLinksBefore, RootLinkNames());

            // Every real server answers with its own name across the bridge.
            foreach (var rs in lab.RealServers)
            {
                var body = lab.Exec(lab.DirectorNamespace, "curl", "-sS", "--max-time", "5", $"http://{rs.Address}/").EnsureSuccess();
                Assert.Equal(rs.Name + "\n", body.Stdout);
            }

            Assert.Equal("0", lab.Exec(lab.DirectorNamespace, "sysctl", "-n", "net.ipv4.ip_forward").EnsureSuccess().Stdout.Trim());
            string addresses = lab.Exec(lab.DirectorNamespace, "ip", "-o", "-4", "addr", "show", "dev", "eth0").EnsureSuccess().Stdout;
            Assert.Contains("198.51.100.1/24", addresses);
            Assert.Contains("192.0.2.10/32", addresses);
            Assert.Contains("default via 198.51.100.1",
                lab.Exec(lab.ClientNamespace, "ip", "route").EnsureSuccess().Stdout);
            Assert.Contains("default via 10.0.0.1",
                lab.Exec(lab.RealServers[2].Namespace, "ip", "route").EnsureSuccess().Stdout);

            // Without lvsd the kernel neither forwards (ip_forward=0) nor owns a port 80 on the VIP.
            var viaVip = lab.Curl($"http://{NatLab.Vip}/", TimeSpan.FromSeconds(2));
            Assert.False(viaVip.Succeeded, viaVip.Describe());
        }
        finally
        {
            lab.Dispose();
        }

        string namespaces = ProcessRunner.Run("ip", ["netns", "list"], TimeSpan.FromSeconds(10)).EnsureSuccess().Stdout;
        Assert.DoesNotContain(prefix, namespaces);
        Assert.False(Directory.Exists(temp));
    }

    private static string RootLinkNames()
    {
        var result = ProcessRunner.Run("ip", ["-o", "link", "show"], TimeSpan.FromSeconds(10)).EnsureSuccess();
        // Only the names this lab would use; other tenants of the machine may add their own links.
        var ours = new HashSet<string> { "director", "rs1", "rs2", "rs3", "br0", "eth1" };
        return string.Join(',', result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(':')[1].Trim().Split('@')[0])
            .Where(ours.Contains)
            .Order());
    }
}
