using System.Diagnostics;

namespace Lvs.Agent.Tests;

public class ProgramTests
{
    [RootFact]
    public void Agent_AsNobody_OneLineAndExit1()
    {
        string agent = Path.Combine(AppContext.BaseDirectory, "lvs-agent");
        var psi = new ProcessStartInfo("runuser", ["-u", "nobody", "--", agent, "dr", "--vip", "192.0.2.10", "--state", "/tmp/lvs-agent-nobody.json"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        using Process p = Process.Start(psi)!;
        string stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(20_000));
        Assert.Equal(1, p.ExitCode);
        Assert.Equal("lvs-agent: needs root (it changes addresses and sysctls, and opens raw sockets)", stderr.Trim());
        Assert.False(File.Exists("/tmp/lvs-agent-nobody.json"));
    }

    [Theory]
    [InlineData("dr", "--vip", "192.0.2.10", "--no-such-option")]
    [InlineData("tunnel", "--vip", "192.0.2.10", "--type", "vxlan")]
    [InlineData("bogus")]
    public void Main_BadArguments_Exit2(params string[] args)
    {
        Assert.Equal(2, Program.Main(args));
    }

    [Fact]
    public void Main_Help_Exit0()
    {
        Assert.Equal(0, Program.Main(["--help"]));
    }
}
