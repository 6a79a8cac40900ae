namespace Lvs.Health.Tests.TestSupport;

/// <summary>A fact that needs root; skipped with "needs root: ..." otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute(string why)
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Skip = $"needs root: {why}";
        }
    }
}
