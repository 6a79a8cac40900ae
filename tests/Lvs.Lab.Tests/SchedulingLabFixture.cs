using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// One NAT lab for the scheduling and UDP end-to-end classes (issue 4): three real servers with
/// nginx (serving a 100 MB random file at /big) and dnsmasq, a second client address, lvsd.
/// Each test starts by clearing lvsd's table; tests that count connections use a service of
/// their own so no earlier test's lingering entries count.
/// </summary>
public sealed class SchedulingLabFixture() : LabFixture<NatLab>(
    options => NatLab.Create(options with { RealServerCount = 3 }),
    lab =>
    {
        lab.AddClientAddress(LabTopology.SecondClientAddress);
        if (Tools.Missing(Tools.ForDnsTests).Count == 0)
        {
            // Without dnsmasq and dig the UDP tests are skipped (DnsFact); the rest still run.
            lab.StartDnsServers();
        }

        lab.StartLvsd();
    });

/// <summary>The scheduling and UDP classes share one lab and so run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class SchedulingCollection : ICollectionFixture<SchedulingLabFixture>
{
    public const string Name = "scheduling lab";
}
