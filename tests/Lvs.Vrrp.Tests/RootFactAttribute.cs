namespace Lvs.Vrrp.Tests;

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
    public static bool IsRoot => Environment.UserName == "root";
}

/// <summary>A theory that needs root; skipped with the reason otherwise.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute(string why)
    {
        if (!RootFactAttribute.IsRoot)
        {
            Skip = $"needs root: {why}";
        }
    }
}
