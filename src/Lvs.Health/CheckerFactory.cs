using Lvs.Health.Checks;
using Lvs.Health.Config;

namespace Lvs.Health;

/// <summary>Builds checkers from keepalived checker blocks (one class per kind, under Checks/ and Agent/).</summary>
public static class CheckerFactory
{
    /// <summary>The block keywords this factory understands.</summary>
    public static IReadOnlySet<string> Kinds { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "DNS_CHECK", "UDP_CHECK", "PING_CHECK", "AGENT_CHECK",
    };

    /// <summary>Builds the checker for a block; false with a message "Location: reason" when the block is invalid. Warnings are dropped.</summary>
    /// <param name="block">The checker block (its <see cref="HealthBlock.Name"/> is one of <see cref="Kinds"/>).</param>
    /// <param name="target">The real server's address and port.</param>
    /// <param name="serviceDelayLoop">The virtual server's delay_loop, used when the block sets none.</param>
    /// <param name="check">The checker, when true.</param>
    /// <param name="error">Why not, when false.</param>
    public static bool TryCreate(HealthBlock block, CheckTarget target, TimeSpan serviceDelayLoop, out IHealthCheck? check, out string? error)
        => TryCreate(block, target, serviceDelayLoop, warnings: null, out check, out error);

    /// <summary>
    /// As the other overload, and adds "Location: text" warnings for what was accepted but is not
    /// acted on (unknown keywords, <c>user</c>, <c>fwmark</c>, <c>bind_if</c>, enable_sni in HTTP_GET).
    /// </summary>
    public static bool TryCreate(HealthBlock block, CheckTarget target, TimeSpan serviceDelayLoop, ICollection<string>? warnings, out IHealthCheck? check, out string? error)
    {
        ArgumentNullException.ThrowIfNull(block);
        ArgumentNullException.ThrowIfNull(target.Address);
        var reader = new BlockReader(block, warnings);
        check = block.Name switch
        {
            "TCP_CHECK" => TcpCheck.Create(reader, target, serviceDelayLoop),
            "HTTP_GET" => HttpCheck.Create(reader, target, serviceDelayLoop, tls: false),
            "SSL_GET" => HttpCheck.Create(reader, target, serviceDelayLoop, tls: true),
            "MISC_CHECK" => MiscCheck.Create(reader, target, serviceDelayLoop),
            "DNS_CHECK" => DnsCheck.Create(reader, target, serviceDelayLoop),
            "UDP_CHECK" => UdpCheck.Create(reader, target, serviceDelayLoop),
            "PING_CHECK" => PingCheck.Create(reader, target, serviceDelayLoop),
            "AGENT_CHECK" => AgentCheck.Create(reader, target, serviceDelayLoop),
            _ => Unknown(reader),
        };
        error = check is null ? reader.Error ?? $"{block.Location}: invalid {block.Name}" : null;
        return check is not null;
    }

    private static IHealthCheck? Unknown(BlockReader reader)
    {
        reader.Fail(reader.Block, $"unknown checker '{reader.Block.Name}' (known: {string.Join(' ', Kinds.Order(StringComparer.Ordinal))})");
        return null;
    }
}
