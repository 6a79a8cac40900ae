using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// A fact that needs root, the lab's tools and a DNS server and client (dnsmasq, dig); skipped
/// with the reason and the Debian packages to install otherwise (scripts/packages.sh installs them).
/// </summary>
public sealed class DnsFactAttribute : FactAttribute
{
    public DnsFactAttribute()
    {
        string? why = Tools.WhyNotRunnable([.. Tools.ForTests, .. Tools.ForDnsTests]);
        if (why is not null)
        {
            Skip = why;
        }
    }
}
