using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// One NAT lab (two nginx real servers serving a 100 MB random file at /big) for issue 5's
/// control-plane classes. It starts no lvsd: each test starts its own with the arguments it
/// needs (<see cref="LabTopology.RestartLvsd"/>, e.g. <c>--config FILE</c>), so every test
/// begins with a fresh table and fresh counters.
/// </summary>
public sealed class ControlPlaneLabFixture() : LabFixture<NatLab>(NatLab.Create);

/// <summary>The control-plane classes share one lab and so run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class ControlPlaneCollection : ICollectionFixture<ControlPlaneLabFixture>
{
    public const string Name = "control plane lab";
}
