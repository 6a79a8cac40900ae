using Lvs.Linux.Interop;

namespace Lvs.Linux.Tunnel;

/// <summary>Who the process runs as, for tools that must refuse early and clearly without root.</summary>
public static class Privilege
{
    /// <summary>True when the effective user id is 0.</summary>
    public static bool IsEffectiveRoot => Libc.GetEuid() == 0;
}
