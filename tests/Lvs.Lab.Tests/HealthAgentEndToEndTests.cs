using System.Globalization;
using Lvs.Lab;
using Xunit.Abstractions;
using static Lvs.Lab.Tests.HealthLabSupport;

namespace Lvs.Lab.Tests;

/// <summary>
/// Issue 6's active feedback, end to end: <c>lvs-agent feedback --metric command</c> on rs1
/// answers what a file says; lvsd polls it through an AGENT_CHECK and scales rs1's weight under
/// wrr. "50%" halves rs1's share of new connections against rs2; "drain" stops new ones while a
/// download already running on rs1 finishes intact.
/// </summary>
[Collection(HealthCollection.Name)]
public sealed class HealthAgentEndToEndTests(HealthLabFixture fixture, ITestOutputHelper output) : IDisposable
{
    private const int AgentPort = 9777;

    private LabProcess? _agent;

    private NatLab Lab => fixture.Lab ?? throw new InvalidOperationException("lab not built");

    private RealServer Rs1 => Lab.RealServers[0];

    private RealServer Rs2 => Lab.RealServers[1];

    private string AnswerFile => Path.Combine(Lab.TempDirectory, "agent-answer");

    [RootFact]
    public void Agent_50PercentThenDrain_HalvesShareThenStopsNewWhileDownloadFinishes()
    {
        StartAgentAndLvsd("100%");
        Assert.Equal((2, 2), (Weight(Lab, Server(Rs1)), Weight(Lab, Server(Rs2))));

        // Equal weights: 60 new connections split 30/30.
        Assert.Equal([30, 30, 0], Share(60));

        File.WriteAllText(AnswerFile, "50%\n");
        WaitFor(() => Weight(Lab, Server(Rs1)) == 1, TimeSpan.FromSeconds(10), "rs1 at 50% of weight 2", Listing);
        // wrr 1:2 — rs1's share halves relative to rs2 (from 1:1 to 1:2).
        int[] halved = Share(60);
        output.WriteLine($"at 50%: {string.Join(' ', halved)}");
        Assert.Equal([20, 40, 0], halved);

        // Back to full weight, start two slow downloads (wrr 2:2 alternates, so one lands on each server).
        File.WriteAllText(AnswerFile, "100%\n");
        WaitFor(() => Weight(Lab, Server(Rs1)) == 2, TimeSpan.FromSeconds(10), "rs1 back at weight 2", Listing);
        string target1 = Path.Combine(Lab.TempDirectory, "drain-1.bin");
        string target2 = Path.Combine(Lab.TempDirectory, "drain-2.bin");
        using var d1 = Download(target1);
        using var d2 = Download(target2);
        WaitFor(() => ActiveConns(Lab, Server(Rs1)) >= 1 && ActiveConns(Lab, Server(Rs2)) >= 1, TimeSpan.FromSeconds(5),
            "a download on each server", Listing);

        File.WriteAllText(AnswerFile, "drain\n");
        WaitFor(() => Weight(Lab, Server(Rs1)) == 0, TimeSpan.FromSeconds(10), "rs1 drained to weight 0", Listing);
        string health = Lab.Lvsadm("-L", "-n", "--health").EnsureSuccess().Stdout;
        output.WriteLine(health);
        Assert.Contains("drain", health);
        Assert.True(ActiveConns(Lab, Server(Rs1)) >= 1, "rs1's download ended before the drain took effect");
        Assert.False(d1.HasExited || d2.HasExited, "a download ended before the drain took effect");

        // No new connection goes to rs1 ...
        Assert.Equal([0, 10, 0], Share(10));

        // ... while its download finishes intact.
        foreach ((LabProcess curl, string target) in new[] { (d1, target1), (d2, target2) })
        {
            Assert.True(curl.WaitForExit(TimeSpan.FromSeconds(60)), "download still running after 60 s");
            Assert.True(curl.ExitCode == 0, $"curl exited {curl.ExitCode}: {curl.Output}");
            Assert.Equal(fixture.BigFileSha256, RandomFile.Sha256Of(target));
        }
    }

    [RootFact]
    public void Agent_Down_ServerRemovedAndBackOnUp()
    {
        StartAgentAndLvsd("up\n");
        File.WriteAllText(AnswerFile, "down #maintenance\n");
        WaitFor(() => Weight(Lab, Server(Rs1)) is null, TimeSpan.FromSeconds(10), "rs1 removed on 'down'", Listing);
        File.WriteAllText(AnswerFile, "up\n");
        WaitFor(() => Weight(Lab, Server(Rs1)) == 2, TimeSpan.FromSeconds(10), "rs1 back on 'up'", Listing);
    }

    public void Dispose()
    {
        if (fixture.Lab is { } lab)
        {
            LabDiagnostics.Write(lab, output);
            if (_agent is not null)
            {
                output.WriteLine("lvs-agent feedback output:\n" + _agent.Output);
                _agent.Stop(TimeSpan.FromSeconds(5));
            }
        }
    }

    private void StartAgentAndLvsd(string firstAnswer)
    {
        File.WriteAllText(AnswerFile, firstAnswer);
        _agent = Lab.StartInNamespace("lvs-agent feedback", Rs1.Namespace, LvsBin.Program("lvs-agent"), "feedback",
            "--port", AgentPort.ToString(CultureInfo.InvariantCulture), "--bind", Rs1.Address, "--metric", "command",
            "--command", $"cat {AnswerFile}", "--interval", "0.5");
        string conf = HealthEndToEndTests.Conf("wrr", $$"""
            real_server {{Rs1.Address}} 80 {
                weight 2
                AGENT_CHECK {
                    connect_port {{AgentPort}}
                    connect_timeout 2
                    delay_loop 1
                    retry 0
                }
            }
            real_server {{Rs2.Address}} 80 {
                weight 2
            }
            """);
        string path = Path.Combine(Lab.TempDirectory, "agent.conf");
        File.WriteAllText(path, conf);
        Lab.RestartLvsd("--config", path);
    }

    /// <summary>New connections, one curl each, counted per real server (rs1, rs2, rs3).</summary>
    private int[] Share(int count)
    {
        var results = HttpProbe.Sequential(Lab, count, TimeSpan.FromSeconds(5));
        Assert.All(results, r => Assert.Null(r.Error));
        return [.. HttpProbe.Tally(Lab, results).Select(t => t.Count)];
    }

    private LabProcess Download(string target) =>
        Lab.StartInNamespace("curl /big", Lab.ClientNamespace,
            "curl", "-sS", "--fail", "--max-time", "60", "--limit-rate", "12M", "-o", target, $"http://{LabTopology.Vip}/big");

    private string Listing() => Lab.Lvsadm("-L", "-n", "--health").Describe();
}
