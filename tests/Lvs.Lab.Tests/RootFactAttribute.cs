using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// A fact that needs root and the lab's tools (ip, nginx, nft, curl, wrk); skipped with the
/// reason (and the Debian packages to install) otherwise. xunit 2 has no runtime skip, so the
/// decision is made when the attribute is constructed.
/// </summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        string? why = Tools.WhyNotRunnable(Tools.ForTests);
        if (why is not null)
        {
            Skip = why;
        }
    }
}
