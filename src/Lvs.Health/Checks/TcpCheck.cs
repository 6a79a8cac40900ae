using System.Net;
using Lvs.Health.Config;

namespace Lvs.Health.Checks;

/// <summary>
/// keepalived's TCP_CHECK: up when a TCP connection to connect_ip:connect_port is established
/// within connect_timeout. The connection is then reset, not closed, so a check leaves no
/// TIME_WAIT on the director.
/// </summary>
public sealed class TcpCheck : IHealthCheck
{
    internal TcpCheck(IPEndPoint endpoint, IPEndPoint? bind, CheckTiming timing)
    {
        Endpoint = endpoint;
        Bind = bind;
        Timing = timing;
    }

    /// <summary>Where the check connects.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>The local address and port (bindto, bind_port), or null.</summary>
    public IPEndPoint? Bind { get; }

    /// <inheritdoc/>
    public string Kind => "TCP_CHECK";

    /// <inheritdoc/>
    public CheckTiming Timing { get; }

    /// <inheritdoc/>
    public async Task<CheckResult> RunAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timing.ConnectTimeout);
        try
        {
            var socket = await Connector.ConnectTcpAsync(Endpoint, Bind, timeout.Token).ConfigureAwait(false);
            Connector.Abort(socket);
            return new CheckResult(true, "connected");
        }
        catch (Exception e)
        {
            return Connector.Failure(e, Timing.ConnectTimeout, ct);
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
        }
        return common.Validate(reader, needsPort: true) ? new TcpCheck(common.Endpoint, common.BindEndpoint, common.Timing) : null;
    }
}
