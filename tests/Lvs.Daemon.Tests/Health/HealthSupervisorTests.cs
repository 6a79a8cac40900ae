using Lvs.Core.Connections;
using Lvs.Core.Services;
using Lvs.Daemon.Health;

namespace Lvs.Daemon.Tests.Health;

/// <summary>
/// The supervisor with real checkers: MISC_CHECK scripts whose exit code a file decides, so a test
/// turns a server up, down or to a weight by writing that file. No network, real time (delay_loop 1).
/// </summary>
public sealed class HealthSupervisorTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private static readonly ServiceKey Web = new(IpProtocol.Tcp, Ipv4.Parse("192.0.2.10"), 80);
    private static readonly uint Rs1 = Ipv4.Parse("10.0.0.11");
    private static readonly uint Rs2 = Ipv4.Parse("10.0.0.12");
    private static readonly uint Sorry = Ipv4.Parse("10.0.0.99");

    private readonly string _dir = Directory.CreateTempSubdirectory("lvsd-health-").FullName;
    private readonly object _gate = new();
    private readonly ServiceTable _table = new(1);
    private readonly HealthSupervisor _health;
    private int _afterChange;

    public HealthSupervisorTests()
    {
        _health = new HealthSupervisor(_table, _gate, () => Interlocked.Increment(ref _afterChange));
        SetExit("rs1", 0);
        SetExit("rs2", 0);
    }

    public void Dispose()
    {
        _health.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private void SetExit(string name, int code) => File.WriteAllText(Path.Combine(_dir, name), code.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private string Check(string name, bool dynamic = false) => $$"""
        MISC_CHECK {
              misc_path "/bin/sh -c 'exit $(cat {{_dir}}/{{name}})'"
              misc_timeout 2
              {{(dynamic ? "misc_dynamic" : "")}}
              retry 0
            }
        """;

    private string Conf(string extra = "", string rs1Extra = "", bool dynamic = false) => $$"""
        virtual_server 192.0.2.10 80 {
          delay_loop 1
          lb_algo wrr
          lb_kind NAT
          {{extra}}
          real_server 10.0.0.11 80 {
            weight 3
            {{rs1Extra}}
            {{Check("rs1", dynamic)}}
          }
          real_server 10.0.0.12 80 {
            weight 2
            {{Check("rs2")}}
          }
        }
        """;

    private ConfigReloader Load(string text)
    {
        string path = Path.Combine(_dir, "keepalived.conf");
        File.WriteAllText(path, text);
        var reloader = new ConfigReloader(path, _table, new ConnectionTimeouts(), _health);
        var loaded = reloader.Reload("test");
        Assert.True(loaded.Ok, loaded.Message);
        _health.Start();
        return reloader;
    }

    private int? Weight(uint address) =>
        _table.Lookup(Web)?.Destinations.FirstOrDefault(d => d.Address == address)?.Weight;

    private static void Eventually(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, $"not within {Patience.TotalSeconds} s: {what}");
            Thread.Sleep(50);
        }
    }

    [Fact]
    public void Transition_ServerFailsThenRecovers_RemovedThenBackWithItsWeight()
    {
        Load(Conf());
        Assert.Equal((3, 2), (Weight(Rs1), Weight(Rs2)));

        SetExit("rs1", 1);
        Eventually(() => Weight(Rs1) is null, "rs1 removed");
        ServiceHealthView view = _health.View(Web)!;
        Assert.Equal("down", view.Servers[(Rs1, 80)].State);
        Assert.Contains(view.Removed, r => r.Address == "10.0.0.11" && r.Health.State == "down");
        Assert.Equal(2, Weight(Rs2));

        SetExit("rs1", 0);
        Eventually(() => Weight(Rs1) == 3, "rs1 back at weight 3");
        Assert.Empty(_health.View(Web)!.Removed);
        Assert.True(_afterChange >= 2);
    }

    [Fact]
    public void List_ServerDown_ShownAsRemovedWithHealthOthersCarryIt()
    {
        Load(Conf(extra: "sorry_server 10.0.0.99 80"));
        SetExit("rs1", 1);
        Eventually(() => Weight(Rs1) is null, "rs1 removed");
        var handler = new Lvs.Daemon.Control.ControlHandler(_table, []) { Health = _health.View };

        var status = handler.Handle(new Lvs.Contracts.ControlRequest { Command = Lvs.Contracts.Commands.List }).Status!;
        var service = Assert.Single(status.Services);
        var removed = Assert.Single(service.RemovedServers!);
        Assert.Equal(("10.0.0.11", "down", 3), (removed.Address, removed.Health.State, removed.Health.ConfiguredWeight));
        Assert.Equal("up", Assert.Single(service.Servers).Health!.State);
        Assert.Equal(("10.0.0.99:80", false), (service.SorryServer, service.SorryActive));
    }

    [Fact]
    public void Transition_InhibitOnFailure_WeightZeroInsteadOfRemoval()
    {
        Load(Conf(rs1Extra: "inhibit_on_failure"));
        SetExit("rs1", 1);
        Eventually(() => Weight(Rs1) == 0, "rs1 at weight 0");
        SetExit("rs1", 0);
        Eventually(() => Weight(Rs1) == 3, "rs1 back at weight 3");
    }

    [Fact]
    public void Quorum_AllDown_SorryServerInUntilOneReturns()
    {
        Load(Conf(extra: "sorry_server 10.0.0.99 80"));
        Assert.Null(Weight(Sorry));

        SetExit("rs1", 1);
        SetExit("rs2", 1);
        Eventually(() => Weight(Sorry) == 1 && Weight(Rs1) is null && Weight(Rs2) is null, "sorry server alone");
        Assert.True(_health.View(Web)!.SorryActive);

        SetExit("rs2", 0);
        Eventually(() => Weight(Sorry) is null && Weight(Rs2) == 2, "sorry server out, rs2 in");
    }

    [Fact]
    public void Quorum_WithHysteresis_SorryLeavesOnlyAboveQuorumPlusHysteresis()
    {
        // quorum 3, hysteresis 1: lost below 2 (rs1 alone has 3, rs2 alone has 2), regained at 4.
        Load(Conf(extra: "sorry_server 10.0.0.99 80\n  quorum 3\n  hysteresis 1"));
        SetExit("rs1", 1);
        Thread.Sleep(2500);
        Assert.Null(Weight(Sorry)); // live weight 2 is not below 3 - 1
        SetExit("rs2", 1);
        Eventually(() => Weight(Sorry) == 1, "sorry server in");
        SetExit("rs1", 0);
        Thread.Sleep(2500);
        Assert.Equal(1, Weight(Sorry)); // live weight 3 is below 3 + 1
        SetExit("rs2", 0);
        Eventually(() => Weight(Sorry) is null && Weight(Rs1) == 3 && Weight(Rs2) == 2, "quorum regained");
    }

    [Fact]
    public void Scripts_NotifyDownAndQuorumDown_RunOnTransitions()
    {
        string notify = Path.Combine(_dir, "notified");
        string quorum = Path.Combine(_dir, "quorum");
        Load(Conf(extra: $"quorum_down \"/bin/sh -c 'echo lost > {quorum}'\"\n  quorum_up \"/bin/sh -c 'echo gained > {quorum}'\"",
            rs1Extra: $"notify_down \"/bin/sh -c 'echo down > {notify}'\""));
        SetExit("rs1", 1);
        Eventually(() => File.Exists(notify) && File.ReadAllText(notify) == "down\n", "notify_down ran");
        Assert.False(File.Exists(quorum)); // rs2 still carries the quorum
        SetExit("rs2", 1);
        Eventually(() => File.Exists(quorum) && File.ReadAllText(quorum) == "lost\n", "quorum_down ran");
        SetExit("rs2", 0);
        Eventually(() => File.ReadAllText(quorum) == "gained\n", "quorum_up ran");
    }

    [Fact]
    public void Omega_ReloadDropsLiveServer_NotifyDownRuns()
    {
        string notify = Path.Combine(_dir, "omega");
        string withRs1 = Conf(extra: "omega", rs1Extra: $"notify_down \"/bin/sh -c 'echo gone > {notify}'\"");
        ConfigReloader reloader = Load(withRs1);
        int start = withRs1.IndexOf("real_server 10.0.0.11", StringComparison.Ordinal);
        int end = withRs1.IndexOf("real_server 10.0.0.12", StringComparison.Ordinal);
        File.WriteAllText(reloader.Path, withRs1.Remove(start, end - start));
        lock (_gate)
        {
            Assert.True(reloader.Reload("test").Ok);
        }

        Eventually(() => File.Exists(notify) && File.ReadAllText(notify) == "gone\n", "notify_down ran for the dropped server");
        Assert.Null(Weight(Rs1));
    }

    [Fact]
    public void MiscDynamic_ExitCode_SetsWeight()
    {
        Load(Conf(dynamic: true));
        SetExit("rs1", 7);
        Eventually(() => Weight(Rs1) == 5, "rs1 at weight 7 - 2");
        Assert.Equal(5, _health.View(Web)!.Servers[(Rs1, 80)].DynamicWeight);
    }

    [Fact]
    public void Operator_WeightSetByHand_KeptAcrossFailure()
    {
        Load(Conf());
        lock (_gate)
        {
            Assert.Equal(TableResult.Ok, _table.EditServer(Web, Rs1, 80, ForwardMethod.Masquerade, 9));
        }

        SetExit("rs1", 1);
        Eventually(() => Weight(Rs1) is null, "rs1 removed");
        SetExit("rs1", 0);
        Eventually(() => Weight(Rs1) == 9, "rs1 back at the operator's weight 9");
    }

    [Fact]
    public void Operator_ServerDeletedByHand_NotAddedBack()
    {
        Load(Conf());
        lock (_gate)
        {
            Assert.Equal(TableResult.Ok, _table.DeleteServer(Web, Rs1, 80));
        }

        SetExit("rs1", 1);
        Thread.Sleep(2500);
        SetExit("rs1", 0);
        Thread.Sleep(2500);
        Assert.Null(Weight(Rs1));
    }

    [Fact]
    public void Reload_ServerStillDown_StaysOut()
    {
        ConfigReloader reloader = Load(Conf());
        SetExit("rs1", 1);
        Eventually(() => Weight(Rs1) is null, "rs1 removed");
        lock (_gate)
        {
            Assert.True(reloader.Reload("test").Ok);
        }

        Assert.Null(Weight(Rs1));
        Assert.Equal("down", _health.View(Web)!.Servers[(Rs1, 80)].State);
    }

    [Fact]
    public void Reload_BadCheckerBlock_RefusedWithLocation()
    {
        string path = Path.Combine(_dir, "keepalived.conf");
        File.WriteAllText(path, Conf().Replace("misc_timeout 2", "misc_timeout banana", StringComparison.Ordinal));
        var reloader = new ConfigReloader(path, _table, new ConnectionTimeouts(), _health);
        var refused = reloader.Reload("test");
        Assert.False(refused.Ok);
        Assert.Contains("keepalived.conf:", refused.Message);
        Assert.Empty(_table.Snapshot());
    }

    [Fact]
    public void Load_UnsupportedChecker_Refused()
    {
        string path = Path.Combine(_dir, "keepalived.conf");
        File.WriteAllText(path, Conf().Replace("MISC_CHECK", "SMTP_CHECK", StringComparison.Ordinal));
        var refused = new ConfigReloader(path, _table, new ConnectionTimeouts(), _health).Reload("test");
        Assert.False(refused.Ok);
        Assert.Contains("'SMTP_CHECK' is not built", refused.Message);
    }
}
