using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// One lab for a whole test class or collection: its namespaces, nginx real servers serving a
/// 100 MB random file at /big, and whatever <c>prepare</c> starts (lvsd, agents, DNS servers).
/// Building it is the slow part; when the lab's tools are missing nothing is built and every
/// test skips (RootFact). Everything it made is removed on dispose, also after a failed build.
/// </summary>
public abstract class LabFixture<TLab> : IDisposable
    where TLab : LabTopology
{
    /// <summary>Size of the file every real server serves at /big.</summary>
    public const int BigFileBytes = 100 << 20;

    private readonly DirectoryInfo? _files;

    private protected LabFixture(Func<LabOptions, TLab> create, Action<TLab>? prepare = null)
    {
        if (Tools.WhyNotRunnable(Tools.ForTests) is not null)
        {
            return;
        }

        _files = Directory.CreateTempSubdirectory("lvs-lab-big-");
        try
        {
            BigFile = Path.Combine(_files.FullName, "big.bin");
            BigFileSha256 = RandomFile.Write(BigFile, BigFileBytes);

            // LVS_LAB_NO_OFFLOAD=1 hides GSO and partial checksums from lvsd: for debugging only.
            bool noOffload = Environment.GetEnvironmentVariable("LVS_LAB_NO_OFFLOAD") == "1";
            Lab = create(new LabOptions { BigFile = BigFile, DisableOffloads = noOffload });
            prepare?.Invoke(Lab);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The lab; null only when the tests are skipped.</summary>
    public TLab? Lab { get; }

    /// <summary>Path of the random file served at /big.</summary>
    public string BigFile { get; } = "";

    /// <summary>Its SHA-256, lower-case hex.</summary>
    public string BigFileSha256 { get; } = "";

    /// <summary>SHA-256 of a file, lower-case hex.</summary>
    public static string Sha256Of(string path) => RandomFile.Sha256Of(path);

    public void Dispose()
    {
        Lab?.Dispose();
        _files?.Delete(recursive: true);
        GC.SuppressFinalize(this);
    }
}
