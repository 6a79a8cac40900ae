using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// One NAT lab with lvsd for the whole end-to-end class: building it (namespaces, nginx, a
/// 100 MB file) is the slow part, and each test starts by clearing lvsd's table.
/// </summary>
public sealed class NatLabFixture : IDisposable
{
    /// <summary>Size of the file every real server serves at /big.</summary>
    public const int BigFileBytes = 100 << 20;

    private readonly DirectoryInfo? _bigDirectory;

    public NatLabFixture()
    {
        if (Tools.WhyNotRunnable(Tools.ForTests) is not null)
        {
            // Every test of the class is skipped; build nothing.
            return;
        }

        _bigDirectory = Directory.CreateTempSubdirectory("lvs-lab-big-");
        try
        {
            BigFile = Path.Combine(_bigDirectory.FullName, "big.bin");
            BigFileSha256 = RandomFile.Write(BigFile, BigFileBytes);
            // LVS_LAB_NO_OFFLOAD=1 hides GSO and partial checksums from lvsd: for debugging only.
            bool noOffload = Environment.GetEnvironmentVariable("LVS_LAB_NO_OFFLOAD") == "1";
            Lab = NatLab.Create(new LabOptions { BigFile = BigFile, DisableOffloads = noOffload });
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
        _bigDirectory?.Delete(recursive: true);
    }

    /// <summary>SHA-256 of a file, lower-case hex.</summary>
    public static string Sha256Of(string path) => RandomFile.Sha256Of(path);
}
