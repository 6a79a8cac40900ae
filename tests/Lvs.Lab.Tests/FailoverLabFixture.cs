using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// One <see cref="FailoverLab"/> for a failover test class: two director namespaces (no lvsd yet;
/// each test starts and stops its own) and two nginx real servers serving a 1 MiB random file
/// at /big. Removed on dispose, also after a failed build.
/// </summary>
public abstract class FailoverLabFixture : IDisposable
{
    /// <summary>Size of /big: small enough for 200 rate-limited downloads to end within seconds.</summary>
    public const int StreamFileBytes = 1 << 20;

    private readonly DirectoryInfo? _files;

    private protected FailoverLabFixture(ForwardingMethod method, params string[] lvsdArgs)
    {
        if (Tools.WhyNotRunnable(Tools.ForTests) is not null)
        {
            return;
        }

        _files = Directory.CreateTempSubdirectory("lvs-failover-big-");
        try
        {
            string big = Path.Combine(_files.FullName, "big.bin");
            BigFileSha256 = RandomFile.Write(big, StreamFileBytes);
            Lab = FailoverLab.Create(method, new LabOptions { BigFile = big });
            Lab.LvsdArgs = lvsdArgs;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The lab; null only when the tests are skipped.</summary>
    public FailoverLab? Lab { get; }

    /// <summary>SHA-256 of /big, lower-case hex.</summary>
    public string BigFileSha256 { get; } = "";

    public void Dispose()
    {
        Lab?.Dispose();
        _files?.Delete(recursive: true);
        GC.SuppressFinalize(this);
    }
}

/// <summary>The NAT failover lab.</summary>
public sealed class FailoverNatLabFixture() : FailoverLabFixture(ForwardingMethod.Nat);

/// <summary>The NAT failover lab, both directors running lvsd --workers 2.</summary>
public sealed class FailoverNatWorkersLabFixture() : FailoverLabFixture(ForwardingMethod.Nat, "--workers", "2");

/// <summary>The DR failover lab.</summary>
public sealed class FailoverDrLabFixture() : FailoverLabFixture(ForwardingMethod.Dr);
