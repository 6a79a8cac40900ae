using System.Diagnostics;

namespace Lvs.Daemon.Tests;

public class ProgramTests
{
    [RootFact]
    public void Lvsd_WithoutPacketCapability_OneLineAndExit1()
    {
        string lvsd = Path.Combine(AppContext.BaseDirectory, "lvsd");
        var psi = new ProcessStartInfo("runuser", ["-u", "nobody", "--", lvsd, "--control", "/tmp/lvsd-test-nobody.sock"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using Process p = Process.Start(psi)!;
        string stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(20_000));
        Assert.Equal(1, p.ExitCode);
        Assert.Equal("lvsd: lvsd needs root or CAP_NET_RAW to open packet sockets", stderr.Trim());
    }

    [Fact]
    public void Main_UnknownOption_Exit2()
    {
        Assert.Equal(2, Program.Main(["--no-such-option"]));
    }

    [Fact]
    public void Main_Help_Exit0()
    {
        Assert.Equal(0, Program.Main(["--help"]));
    }
}
