using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// A fact that needs root, the lab's tools and Debian's chromium (driven by Playwright over a
/// pipe); skipped with the reason and the package to install otherwise (scripts/packages.sh).
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        string? why = Tools.WhyNotRunnable([.. Tools.ForTests, "chromium"]);
        if (why is not null)
        {
            Skip = why;
        }
    }
}
