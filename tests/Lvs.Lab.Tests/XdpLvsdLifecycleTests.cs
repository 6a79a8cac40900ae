using System.Diagnostics;
using System.Globalization;
using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// lvsd --io xdp's program in a lab of its own: it hangs on a bpf_link owned by lvsd's process,
/// so neither SIGKILL nor a clean stop leaves an XDP program on the director's interfaces.
/// </summary>
public sealed class XdpLvsdLifecycleTests
{
    private const string ProgramName = "lvs_xdp";

    [RootFact]
    public void Lvsd_Kill9ThenRestartThenStop_NoXdpProgramLeft()
    {
        using NatLab lab = NatLab.Create(new LabOptions());
        LabProcess first = lab.StartLvsd("--io", "xdp");
        Assert.Contains(ProgramName, Links(lab));

        ProcessRunner.Run("kill", ["-KILL", first.Pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        Assert.True(first.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.True(WaitUntil(() => !Links(lab).Contains(ProgramName, StringComparison.Ordinal)), Links(lab));

        LabProcess second = lab.StartInNamespace("lvsd-restarted", lab.DirectorNamespace,
            LvsBin.Program("lvsd"), "--control", lab.ControlPath, "--io", "xdp");
        Assert.True(WaitUntil(() => second.Output.Contains("lvsd started", StringComparison.Ordinal)), second.Output);
        Assert.Contains(ProgramName, Links(lab));
        Assert.DoesNotContain("XDP not available", second.Output, StringComparison.Ordinal);

        Assert.True(second.Stop(TimeSpan.FromSeconds(10)));
        Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}: {second.Output}");
        Assert.DoesNotContain(ProgramName, Links(lab), StringComparison.Ordinal);
    }

    private static string Links(NatLab lab) => lab.Exec(lab.DirectorNamespace, "ip", "link", "show").EnsureSuccess().Stdout;

    private static bool WaitUntil(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (condition())
            {
                return true;
            }

            Thread.Sleep(100);
        }

        return false;
    }
}
