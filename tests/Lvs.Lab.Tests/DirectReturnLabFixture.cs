using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// One DR or TUN lab for a whole end-to-end class: namespaces, nginx serving a 100 MB random
/// file, lvsd on the director and lvs-agent on every real server. Each test then starts from
/// a fresh rr service (see <see cref="DirectReturnEndToEndTests"/>).
/// </summary>
public abstract class DirectReturnLabFixture : IDisposable
{
    /// <summary>Size of the file every real server serves at /big.</summary>
    public const int BigFileBytes = 100 << 20;

    private readonly DirectoryInfo? _files;

    private protected DirectReturnLabFixture(Func<LabOptions, DirectReturnLab> create)
    {
        if (Tools.WhyNotRunnable(Tools.ForTests) is not null)
        {
            // Every test of the class is skipped; build nothing.
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
            Lab.StartLvsd();
            Lab.StartAgents();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The lab; null only when the tests are skipped.</summary>
    public DirectReturnLab? Lab { get; }

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

/// <summary>The DR lab.</summary>
public sealed class DrLabFixture() : DirectReturnLabFixture(options => DrLab.Create(options));

/// <summary>The TUN lab with IPIP.</summary>
public sealed class IpipLabFixture() : DirectReturnLabFixture(options => TunLab.Create(options, TunnelType.Ipip));

/// <summary>The TUN lab with GUE on port <see cref="TunLab.GuePort"/>.</summary>
public sealed class GueLabFixture() : DirectReturnLabFixture(options => TunLab.Create(options, TunnelType.Gue));

/// <summary>The TUN lab with GRE.</summary>
public sealed class GreLabFixture() : DirectReturnLabFixture(options => TunLab.Create(options, TunnelType.Gre));

/// <summary>
/// The DR and TUN classes run one after another (each builds a lab and runs wrk for 10 s; on
/// two cores, side by side they would measure each other).
/// </summary>
[CollectionDefinition(Name)]
public sealed class DirectReturnCollection
{
    public const string Name = "direct-return labs";
}
