using System.Diagnostics;
using System.Globalization;
using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// lvsd's own lifecycle in a lab of its own: the nftables steering rules follow the service
/// table, go away on a clean stop, and rules left by a crashed run are removed at the next start.
/// </summary>
public sealed class LvsdLifecycleTests
{
    [RootFact]
    public void Lvsd_CrashThenRestartThenStop_SteeringRulesFollow()
    {
        using NatLab lab = NatLab.Create(new LabOptions());
        LabProcess first = lab.StartLvsd();
        lab.AddService("rr", 1, 1);

        string rules = NftTable(lab).EnsureSuccess().Stdout;
        Assert.Contains("ip daddr 192.0.2.10 tcp dport 80", rules);
        Assert.Contains("ip saddr 10.0.0.11 tcp sport 80", rules);
        Assert.Contains("ip saddr 10.0.0.12 tcp sport 80", rules);

        // A crash leaves the rules (and the socket file) behind: the VIP is black-holed.
        ProcessRunner.Run("kill", ["-KILL", first.Pid.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        Assert.True(first.WaitForExit(TimeSpan.FromSeconds(10)));
        Assert.Contains("ip daddr 192.0.2.10 tcp dport 80", NftTable(lab).Stdout);

        // The next lvsd removes them before it serves, and takes over the stale socket path.
        LabProcess second = lab.StartInNamespace("lvsd-restarted", lab.DirectorNamespace, LvsBin.Program("lvsd"), "--control", lab.ControlPath);
        WaitReady(lab, second);
        string fresh = NftTable(lab).EnsureSuccess().Stdout;
        Assert.DoesNotContain("ip daddr 192.0.2.10", fresh);
        Assert.DoesNotContain("ip saddr 10.0.0.11", fresh);

        // A clean stop (SIGTERM) removes the table and the control socket and exits 0.
        Assert.True(second.Stop(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, second.ExitCode);
        Assert.False(NftTable(lab).Succeeded);
        Assert.False(File.Exists(lab.ControlPath));
    }

    private static ExecResult NftTable(NatLab lab) => lab.Exec(lab.DirectorNamespace, "nft", "list", "table", "netdev", "lvsd");

    private static void WaitReady(NatLab lab, LabProcess lvsd)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            Assert.False(lvsd.HasExited, $"lvsd exited: {lvsd.Output}");
            if (lab.Lvsadm("-L", "-n").Succeeded)
            {
                return;
            }

            Thread.Sleep(100);
        }

        Assert.Fail($"lvsd not ready: {lvsd.Output}");
    }
}
