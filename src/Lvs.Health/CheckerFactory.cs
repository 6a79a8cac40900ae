namespace Lvs.Health;

/// <summary>Builds checkers from keepalived checker blocks.</summary>
public static class CheckerFactory
{
    /// <summary>The block keywords this factory understands.</summary>
    public static IReadOnlySet<string> Kinds { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "DNS_CHECK", "UDP_CHECK", "PING_CHECK", "AGENT_CHECK",
    };

    /// <summary>Builds the checker for a block; false with a message "Location: reason" when the block is invalid.</summary>
    /// <param name="block">The checker block (its <see cref="HealthBlock.Name"/> is one of <see cref="Kinds"/>).</param>
    /// <param name="target">The real server's address and port.</param>
    /// <param name="serviceDelayLoop">The virtual server's delay_loop, used when the block sets none.</param>
    /// <param name="check">The checker, when true.</param>
    /// <param name="error">Why not, when false.</param>
    public static bool TryCreate(HealthBlock block, CheckTarget target, TimeSpan serviceDelayLoop, out IHealthCheck? check, out string? error)
    {
        throw new NotImplementedException("contract skeleton; being built");
    }
}
