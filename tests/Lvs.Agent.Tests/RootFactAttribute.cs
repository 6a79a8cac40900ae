namespace Lvs.Agent.Tests;

/// <summary>A fact that needs root (network namespaces, raw sockets, TUN); skipped with a message otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = "needs root: creates network namespaces and runs lvs-agent in them";
        }
    }
}

/// <summary>A theory that needs root; skipped with a message otherwise.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = "needs root: creates network namespaces and runs lvs-agent in them";
        }
    }
}
