using System.Diagnostics;
using System.Globalization;
using Lvs.Lab;
using Xunit.Abstractions;
using static Lvs.Lab.Tests.HealthLabSupport;

namespace Lvs.Lab.Tests;

/// <summary>
/// Issue 6's acceptance against the real lvsd: keepalived.conf health checks (TCP_CHECK,
/// MISC_CHECK with misc_dynamic) in front of nginx real servers under wrk load, and the sorry
/// server. delay_loop 1, retry 1, delay_before_retry 1: a dead server is out within
/// delay_loop + retry × delay_before_retry (2 s) plus the connect attempts and a margin.
/// </summary>
[Collection(HealthCollection.Name)]
public sealed class HealthEndToEndTests(HealthLabFixture fixture, ITestOutputHelper output) : IDisposable
{
    /// <summary>delay_loop × retry as the issue states it, plus delay_before_retry, plus a 2 s margin for a busy machine.</summary>
    private static readonly TimeSpan LeaveWithin = TimeSpan.FromSeconds(1 + 1 + 2);

    private NatLab Lab => fixture.Lab ?? throw new InvalidOperationException("lab not built");

    private RealServer Rs1 => Lab.RealServers[0];

    private RealServer Rs2 => Lab.RealServers[1];

    private RealServer SorryRs => Lab.RealServers[2];

    private string ConfigPath => Path.Combine(Lab.TempDirectory, "health.conf");

    [RootFact]
    public void TcpCheck_NginxStoppedUnderWrk_LeavesWithinDelayThenNoErrorsAndReturns()
    {
        StartLvsd(TcpConf());
        Assert.Equal((1, 1), (Weight(Lab, Server(Rs1)), Weight(Lab, Server(Rs2))));

        var wrk = Task.Run(() => Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(40),
            "wrk", "-t2", "-c20", "-d8s", "--timeout", "2s", $"http://{LabTopology.Vip}/"));
        try
        {
            Thread.Sleep(TimeSpan.FromSeconds(2));
            Lab.StopNginx(Rs1);
            TimeSpan left = WaitFor(() => Weight(Lab, Server(Rs1)) is null, TimeSpan.FromSeconds(15), "rs1 to leave the table", Listing);
            output.WriteLine($"rs1 left the table {left.TotalSeconds:0.0} s after its nginx stopped");
            Assert.True(left <= LeaveWithin, $"rs1 left after {left.TotalSeconds:0.0} s, more than {LeaveWithin.TotalSeconds} s");
            string health = Lab.Lvsadm("-L", "-n", "--health").EnsureSuccess().Stdout;
            output.WriteLine(health);
            Assert.Contains($"{Server(Rs1)}", health);
            Assert.Matches($@"{Server(Rs1).Replace(".", "\\.", StringComparison.Ordinal)}\s+Masq\s+-.*down", health);

            ExecResult during = wrk.Wait(TimeSpan.FromSeconds(45)) ? wrk.Result : throw new TimeoutException("wrk still running after 45 s");
            output.WriteLine("wrk across the failure:\n" + during.Stdout);
        }
        finally
        {
            wrk.Wait(TimeSpan.FromSeconds(45));
        }

        // After the server left: a second wrk run sees no error at all.
        ExecResult after = Lab.Exec(Lab.ClientNamespace, TimeSpan.FromSeconds(40),
            "wrk", "-t2", "-c20", "-d4s", "--timeout", "2s", $"http://{LabTopology.Vip}/");
        output.WriteLine("wrk after rs1 left:\n" + after.Stdout);
        Assert.True(after.Succeeded, after.Describe());
        var summary = WrkOutput.Parse(after.Stdout);
        Assert.True(summary.SocketErrors == 0, $"socket errors: {summary}");
        Assert.Equal(0, summary.Non2xx3xx);
        Assert.True(summary.Requests > 100, $"only {summary.Requests} requests");

        // Started again, it returns within the same bound and takes its share of new connections.
        Lab.StartNginxAgain(Rs1);
        TimeSpan back = WaitFor(() => Weight(Lab, Server(Rs1)) == 1, TimeSpan.FromSeconds(15), "rs1 to return", Listing);
        output.WriteLine($"rs1 returned {back.TotalSeconds:0.0} s after its nginx started");
        var results = HttpProbe.Sequential(Lab, 10, TimeSpan.FromSeconds(5), r => output.WriteLine(r.ToString()));
        Assert.All(results, r => Assert.Null(r.Error));
        Assert.Equal([5, 5, 0], HttpProbe.Tally(Lab, results).Select(t => t.Count));
    }

    [RootFact]
    public void SorryServer_AllRealServersDown_SorryAnswersUntilOneReturns()
    {
        StartLvsd(TcpConf());
        Assert.Null(Weight(Lab, Server(SorryRs)));

        Lab.StopNginx(Rs1);
        Lab.StopNginx(Rs2);
        WaitFor(() => Weight(Lab, Server(SorryRs)) == 1 && Weight(Lab, Server(Rs1)) is null && Weight(Lab, Server(Rs2)) is null,
            TimeSpan.FromSeconds(15), "the sorry server alone in the table", Listing);
        string health = Lab.Lvsadm("-L", "-n", "--health").EnsureSuccess().Stdout;
        output.WriteLine(health);
        Assert.Contains("sorry (active)", health);
        var sorry = HttpProbe.Sequential(Lab, 4, TimeSpan.FromSeconds(5), r => output.WriteLine(r.ToString()));
        Assert.All(sorry, r => Assert.Equal(SorryRs, r.Server));

        Lab.StartNginxAgain(Rs2);
        WaitFor(() => Weight(Lab, Server(SorryRs)) is null && Weight(Lab, Server(Rs2)) == 1, TimeSpan.FromSeconds(15),
            "rs2 back and the sorry server out", Listing);
        var back = HttpProbe.Sequential(Lab, 4, TimeSpan.FromSeconds(5), r => output.WriteLine(r.ToString()));
        Assert.All(back, r => Assert.Equal(Rs2, r.Server));
    }

    [RootFact]
    public void MiscDynamic_ExitCodes_WeightInLvsadmListing()
    {
        string exitFile = Path.Combine(Lab.TempDirectory, "misc-exit");
        File.WriteAllText(exitFile, "0");
        StartLvsd(Conf("wrr", $$"""
            real_server {{Rs1.Address}} 80 {
                weight 3
                MISC_CHECK {
                    misc_path "/bin/sh -c 'exit $(cat {{exitFile}})'"
                    misc_timeout 2
                    misc_dynamic
                    retry 0
                }
            }
            real_server {{Rs2.Address}} 80 {
                weight 3
            }
            """));
        Assert.Equal(3, Weight(Lab, Server(Rs1)));

        File.WriteAllText(exitFile, "7");
        WaitFor(() => Weight(Lab, Server(Rs1)) == 5, TimeSpan.FromSeconds(10), "weight 7 - 2 = 5", Listing);
        File.WriteAllText(exitFile, "12");
        WaitFor(() => Weight(Lab, Server(Rs1)) == 10, TimeSpan.FromSeconds(10), "weight 12 - 2 = 10", Listing);
        File.WriteAllText(exitFile, "1");
        WaitFor(() => Weight(Lab, Server(Rs1)) is null, TimeSpan.FromSeconds(10), "exit 1: down, removed", Listing);
        output.WriteLine(Listing());
    }

    public void Dispose()
    {
        if (fixture.Lab is { } lab)
        {
            LabDiagnostics.Write(lab, output);
            foreach (RealServer rs in lab.RealServers)
            {
                lab.StartNginxAgain(rs);
            }
        }
    }

    private string Listing() => Lab.Lvsadm("-L", "-n", "--health").Describe();

    private void StartLvsd(string conf)
    {
        File.WriteAllText(ConfigPath, conf);
        Lab.RestartLvsd("--config", ConfigPath);
    }

    /// <summary>rr over rs1 and rs2 with TCP_CHECK each, rs3 the sorry server.</summary>
    private string TcpConf() => Conf("rr", string.Concat(new[] { Rs1, Rs2 }.Select(rs => $$"""
        real_server {{rs.Address}} 80 {
            weight 1
            TCP_CHECK {
                connect_timeout 1
                retry 1
                delay_before_retry 1
            }
        }

        """)), $"sorry_server {SorryRs.Address} 80");

    internal static string Conf(string scheduler, string servers, string extra = "") => $$"""
        virtual_server {{LabTopology.Vip}} 80 {
            delay_loop 1
            lb_algo {{scheduler}}
            lb_kind NAT
            protocol TCP
            {{extra}}
            {{servers}}
        }
        """;
}
