using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// One NAT lab for issue 6's health-check classes: three nginx real servers (rs3 serves as the
/// sorry server; its body "rs3" tells it apart). No lvsd: each test starts its own with the
/// keepalived.conf it needs, and puts back every nginx it stopped.
/// </summary>
public sealed class HealthLabFixture() : LabFixture<NatLab>(options => NatLab.Create(options with { RealServerCount = 3 }));

/// <summary>The health classes share one lab and so run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class HealthCollection : ICollectionFixture<HealthLabFixture>
{
    public const string Name = "health lab";
}
