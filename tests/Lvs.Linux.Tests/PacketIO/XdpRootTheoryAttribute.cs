namespace Lvs.Linux.Tests;

/// <summary>A theory that needs root; skipped with the reason otherwise, as <see cref="RootFactAttribute"/>.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute(string why = "creates network namespaces and XDP programs")
    {
        if (!RootFactAttribute.IsRoot)
        {
            Skip = $"needs root: {why}";
        }
    }
}
