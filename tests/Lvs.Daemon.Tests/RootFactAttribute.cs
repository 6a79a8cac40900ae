namespace Lvs.Daemon.Tests;

/// <summary>A fact that needs root; skipped with a message otherwise.</summary>
public sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (Environment.UserName != "root")
        {
            Skip = "needs root: runs lvsd as another user to check its refusal";
        }
    }
}
