using System.Diagnostics;

namespace Lvs.Daemon.Tests.Web;

/// <summary>packaging/lvsd.service: what lvsd's sd_notify and signal handling rely on.</summary>
public class UnitFileTests
{
    private static readonly string UnitPath = Path.Combine(RepositoryRoot(), "packaging", "lvsd.service");

    [Fact]
    public void Unit_NotifyReloadAndCapabilities_Declared()
    {
        Dictionary<string, string> keys = File.ReadAllLines(UnitPath)
            .Where(l => l.Length > 0 && l[0] is not ('#' or '['))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
        Assert.Equal("notify", keys["Type"]);
        Assert.Equal("/bin/kill -HUP $MAINPID", keys["ExecReload"]);
        Assert.Equal("CAP_NET_ADMIN CAP_NET_RAW", keys["CapabilityBoundingSet"]);
        Assert.Contains("AF_PACKET", keys["RestrictAddressFamilies"]);
        Assert.Contains("AF_NETLINK", keys["RestrictAddressFamilies"]);
        Assert.Equal("lvsd", keys["RuntimeDirectory"]);
    }

    [Fact]
    public void Unit_SystemdAnalyzeVerify_NoComplaint()
    {
        if (!File.Exists("/usr/bin/systemd-analyze"))
        {
            return; // Nothing to verify with; the key checks above still ran.
        }

        // The unit names the installed binary; verify the rest against one that exists.
        string dir = Directory.CreateTempSubdirectory("lvsd-unit").FullName;
        try
        {
            string copy = Path.Combine(dir, "lvsd.service");
            File.WriteAllText(copy, File.ReadAllText(UnitPath).Replace("/usr/local/sbin/lvsd", "/bin/true"));
            var psi = new ProcessStartInfo("/usr/bin/systemd-analyze", ["verify", copy]) { RedirectStandardError = true, RedirectStandardOutput = true };
            using Process p = Process.Start(psi)!;
            string err = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(30_000));
            Assert.True(p.ExitCode == 0 && err.Trim().Length == 0, err);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Lvs.slnx")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("Lvs.slnx not found above " + AppContext.BaseDirectory);
    }
}
