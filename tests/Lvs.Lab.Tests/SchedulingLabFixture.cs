using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// One NAT lab for the scheduling and UDP end-to-end classes (issue 4): three real servers with
/// nginx (serving a 100 MB random file at /big) and dnsmasq, a second client address, lvsd.
/// Each test starts by clearing lvsd's table; tests that count connections use a service of
/// their own so no earlier test's lingering entries count.
/// </summary>
public sealed class SchedulingLabFixture : IDisposable
{
    /// <summary>Size of the file every real server serves at /big.</summary>
    public const int BigFileBytes = 100 << 20;

    private readonly DirectoryInfo? _files;

    public SchedulingLabFixture()
    {
        if (Tools.WhyNotRunnable(Tools.ForTests) is not null)
        {
            // Every test of the collection is skipped; build nothing.
            return;
        }

        _files = Directory.CreateTempSubdirectory("lvs-lab-big-");
        try
        {
            BigFile = Path.Combine(_files.FullName, "big.bin");
            BigFileSha256 = RandomFile.Write(BigFile, BigFileBytes);
            Lab = NatLab.Create(new LabOptions { RealServerCount = 3, BigFile = BigFile });
            Lab.AddClientAddress(LabTopology.SecondClientAddress);
            if (Tools.Missing(Tools.ForDnsTests).Count == 0)
            {
                // Without dnsmasq and dig the UDP tests are skipped (DnsFact); the rest still run.
                Lab.StartDnsServers();
            }

            Lab.StartLvsd();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The lab; null only when the tests are skipped.</summary>
    public NatLab? Lab { get; }

    /// <summary>Path of the random file served at /big.</summary>
    public string BigFile { get; } = "";

    /// <summary>Its SHA-256, lower-case hex.</summary>
    public string BigFileSha256 { get; } = "";

    public void Dispose()
    {
        Lab?.Dispose();
        _files?.Delete(recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>The scheduling and UDP classes share one lab and so run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class SchedulingCollection : ICollectionFixture<SchedulingLabFixture>
{
    public const string Name = "scheduling lab";
}
