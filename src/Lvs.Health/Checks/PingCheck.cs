using System.Net;
using System.Net.NetworkInformation;
using Lvs.Health.Config;

namespace Lvs.Health.Checks;

/// <summary>
/// keepalived's PING_CHECK: one ICMP (or ICMPv6) echo to connect_ip; up when the echo reply
/// arrives within connect_timeout. Uses .NET's <see cref="Ping"/>, which opens a raw socket when
/// running as root (lvsd does), else an unprivileged ping socket when
/// net.ipv4.ping_group_range allows. bindto is not supported by it and is refused.
/// </summary>
public sealed class PingCheck : IHealthCheck
{
    private static readonly byte[] Payload = "lvs-ping-check\0\0"u8.ToArray();

    internal PingCheck(IPAddress address, CheckTiming timing)
    {
        Address = address;
        Timing = timing;
    }

    /// <summary>Who is pinged.</summary>
    public IPAddress Address { get; }

    /// <inheritdoc/>
    public string Kind => "PING_CHECK";

    /// <inheritdoc/>
    public CheckTiming Timing { get; }

    /// <inheritdoc/>
    public async Task<CheckResult> RunAsync(CancellationToken ct)
    {
        using var ping = new Ping();
        try
        {
            var reply = await ping.SendPingAsync(Address, Timing.ConnectTimeout, Payload, new PingOptions(64, dontFragment: false), ct).ConfigureAwait(false);
            return reply.Status == IPStatus.Success
                ? new CheckResult(true, $"echo reply in {reply.RoundtripTime} ms")
                : new CheckResult(false, reply.Status == IPStatus.TimedOut
                    ? $"no echo reply within {Timing.ConnectTimeout.TotalSeconds:0.###} s"
                    : $"ping: {reply.Status}");
        }
        catch (Exception e) when (e is PingException or InvalidOperationException or OperationCanceledException)
        {
            ct.ThrowIfCancellationRequested();
            return new CheckResult(false, $"ping failed: {e.InnerException?.Message ?? e.Message}");
        }
    }

    internal static IHealthCheck? Create(BlockReader reader, CheckTarget target, TimeSpan serviceDelayLoop)
    {
        var common = new CommonOptions(target, serviceDelayLoop, defaultRetry: 1);
        foreach (var line in reader.Block.Children)
        {
            if (!common.TryTake(line, reader))
            {
                reader.Unknown(line);
            }
            else if (line.Name is "bindto" or "bind_port")
            {
                reader.Fail(line, $"PING_CHECK does not support {line.Name}");
            }
        }
        return common.Validate(reader, needsPort: false) ? new PingCheck(common.ConnectIp, common.Timing) : null;
    }
}
