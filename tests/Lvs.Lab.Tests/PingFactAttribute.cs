using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// A fact that needs root, the lab's tools and ping (iputils-ping); skipped with the reason
/// and the Debian packages to install otherwise (scripts/packages.sh installs them).
/// </summary>
public sealed class PingFactAttribute : FactAttribute
{
    public PingFactAttribute()
    {
        string? why = Tools.WhyNotRunnable([.. Tools.ForTests, .. Tools.ForPingTests]);
        if (why is not null)
        {
            Skip = why;
        }
    }
}
