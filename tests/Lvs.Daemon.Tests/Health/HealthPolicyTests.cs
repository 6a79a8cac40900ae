using Lvs.Daemon.Health;
using Lvs.Health;

namespace Lvs.Daemon.Tests.Health;

public class HealthPolicyTests
{
    [Theory]
    [InlineData(10, null, null, null, 10)]
    [InlineData(10, 5, null, null, 5)]
    [InlineData(10, null, 50, null, 5)]
    [InlineData(10, 4, 50, null, 2)]
    [InlineData(3, null, 10, null, 1)] // a non-zero share of a non-zero weight never rounds to 0
    [InlineData(10, null, 0, null, 0)]
    [InlineData(0, null, 50, null, 0)]
    [InlineData(10, null, 200, null, 20)]
    [InlineData(60000, null, 200, null, 65535)]
    public void EffectiveWeight_DynamicAndAgentPercent_Scales(int configured, int? dynamic, int? percent, AgentState? state, int expected) =>
        Assert.Equal(expected, HealthPolicy.EffectiveWeight(configured, dynamic, percent is null && state is null ? null : new AgentReport(percent, state, null)));

    [Fact]
    public void EffectiveWeight_Drain_Zero() =>
        Assert.Equal(0, HealthPolicy.EffectiveWeight(10, null, new AgentReport(75, AgentState.Drain, null)));

    [Fact]
    public void EffectiveWeight_UpWithoutPercent_Unchanged() =>
        Assert.Equal(7, HealthPolicy.EffectiveWeight(7, null, new AgentReport(null, AgentState.Up, null)));

    [Theory]
    // quorum 3, hysteresis 1: lost below 2, regained at 4.
    [InlineData(true, 3, true)]
    [InlineData(true, 2, true)]
    [InlineData(true, 1, false)]
    [InlineData(false, 3, false)]
    [InlineData(false, 4, true)]
    public void NextQuorumUp_Hysteresis_NoFlapping(bool up, long weight, bool expected) =>
        Assert.Equal(expected, HealthPolicy.NextQuorumUp(up, weight, quorum: 3, hysteresis: 1));

    [Fact]
    public void NextQuorumUp_ZeroLiveWeightWithQuorumZero_Lost() =>
        Assert.False(HealthPolicy.NextQuorumUp(true, 0, quorum: 0, hysteresis: 0));

    [Theory]
    [InlineData(true, 5, false, false, 5)]
    [InlineData(false, 5, false, false, null)]
    [InlineData(false, 5, true, false, 0)]
    [InlineData(true, 5, false, true, null)] // keepalived takes live servers out while the sorry server serves
    [InlineData(false, 5, true, true, 0)]
    public void DesiredWeight_States_AsKeepalived(bool up, int weight, bool inhibit, bool sorryActive, int? expected) =>
        Assert.Equal(expected, HealthPolicy.DesiredWeight(up, weight, inhibit, sorryActive));

    [Theory]
    [InlineData(true, false, 1)]
    [InlineData(false, false, null)]
    [InlineData(false, true, 0)]
    public void DesiredSorryWeight_ActiveOrInhibited(bool active, bool inhibit, int? expected) =>
        Assert.Equal(expected, HealthPolicy.DesiredSorryWeight(active, inhibit));

    [Fact]
    public void StateName_DownDrainUp()
    {
        Assert.Equal("down", HealthPolicy.StateName(false, new AgentReport(null, AgentState.Drain, null)));
        Assert.Equal("drain", HealthPolicy.StateName(true, new AgentReport(null, AgentState.Drain, null)));
        Assert.Equal("up", HealthPolicy.StateName(true, null));
    }
}
