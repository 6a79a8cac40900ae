using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// One NAT lab (two nginx real servers serving a 100 MB random file at /big) for issue 5's
/// control-plane classes. It starts no lvsd: each test starts its own with the arguments it
/// needs (<see cref="LabTopology.RestartLvsd"/>, e.g. <c>--config FILE</c>), so every test
/// begins with a fresh table and fresh counters.
/// </summary>
public sealed class ControlPlaneLabFixture : IDisposable
{
    /// <summary>Size of the file every real server serves at /big.</summary>
    public const int BigFileBytes = 100 << 20;

    private readonly DirectoryInfo? _files;

    public ControlPlaneLabFixture()
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
            Lab = NatLab.Create(new LabOptions { BigFile = BigFile });
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

/// <summary>The control-plane classes share one lab and so run one after the other.</summary>
[CollectionDefinition(Name)]
public sealed class ControlPlaneCollection : ICollectionFixture<ControlPlaneLabFixture>
{
    public const string Name = "control plane lab";
}
