namespace Lvs.Linux.Tests;

/// <summary>
/// A fact that needs root (network namespaces, packet sockets). When the test process is
/// not root the test is reported as skipped with the reason, instead of failing or silently passing.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute(string why = "creates network namespaces and packet sockets")
    {
        if (!IsRoot)
        {
            Skip = $"needs root: {why}";
        }
    }

    /// <summary>True when the effective user is root (geteuid() == 0).</summary>
    public static bool IsRoot => Interop.Libc.GetEuid() == 0;
}
