using System.Net;
using System.Net.Sockets;
using System.Text;
using Lvs.Health.Checks;
using Lvs.Health.Config;

namespace Lvs.Health;

/// <summary>
/// HAProxy agent-check protocol client (our AGENT_CHECK block inside real_server): connects to
/// connect_ip:connect_port (default port 9777), reads one line of at most
/// <see cref="MaxReplyBytes"/> bytes (or what came before the agent closed), parses it with
/// <see cref="AgentReply"/>. down/maint/stopped/fail are a failed check; drain, up, ready and a
/// bare percentage pass; the parsed report is in <see cref="CheckResult.Agent"/>. No reply, an
/// invalid reply, an over-long line or silence until connect_timeout fail the check with the
/// reason.
/// </summary>
public sealed class AgentCheck : IHealthCheck
{
    /// <summary>Longest reply line read.</summary>
    public const int MaxReplyBytes = 512;

    /// <summary>connect_port when AGENT_CHECK sets none (lvs-agent feedback's default).</summary>
    public const ushort DefaultPort = 9777;

    internal AgentCheck(IPEndPoint endpoint, IPEndPoint? bind, CheckTiming timing)
    {
        Endpoint = endpoint;
        Bind = bind;
        Timing = timing;
    }

    /// <summary>Where the agent listens.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>The local address and port (bindto, bind_port), or null.</summary>
    public IPEndPoint? Bind { get; }

    /// <inheritdoc/>
    public string Kind => "AGENT_CHECK";

    /// <inheritdoc/>
    public CheckTiming Timing { get; }

    /// <inheritdoc/>
    public async Task<CheckResult> RunAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timing.ConnectTimeout);
        var buffer = new byte[MaxReplyBytes];
        Socket? socket = null;
        try
        {
            socket = await Connector.ConnectTcpAsync(Endpoint, Bind, timeout.Token).ConfigureAwait(false);
            var filled = 0;
            var lineEnd = -1;
            while (lineEnd < 0)
            {
                if (filled == MaxReplyBytes)
                {
                    return new CheckResult(false, $"agent: reply line over {MaxReplyBytes} bytes");
                }
                var n = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    if (filled == 0)
                    {
                        return new CheckResult(false, "agent: closed without a reply");
                    }
                    lineEnd = filled;
                    break;
                }
                var newline = buffer.AsSpan(filled, n).IndexOf((byte)'\n');
                filled += n;
                if (newline >= 0)
                {
                    lineEnd = filled - n + newline;
                }
            }
            return Interpret(buffer.AsSpan(0, lineEnd));
        }
        catch (Exception e)
        {
            var failure = Connector.Failure(e, Timing.ConnectTimeout, ct);
            return failure with { Reason = "agent: " + failure.Reason };
        }
        finally
        {
            if (socket is not null)
            {
                Connector.Abort(socket);
            }
        }
    }

    /// <summary>Maps one reply line (bytes, without '\n') to a check result.</summary>
    internal static CheckResult Interpret(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }
        foreach (var b in line)
        {
            if (b >= 0x80)
            {
                return new CheckResult(false, "agent: invalid reply: not ASCII");
            }
        }
        var text = Encoding.ASCII.GetString(line);
        if (!AgentReply.TryParse(text, out var report, out var error))
        {
            return new CheckResult(false, $"agent: invalid reply: {error}");
        }
        var summary = Describe(report);
        var down = report.State is { } state && AgentReply.IsDown(state);
        return new CheckResult(!down, "agent: " + summary) { Agent = report };
    }

    private static string Describe(AgentReport report)
    {
        var parts = new List<string>(3);
        if (report.State is { } state)
        {
            parts.Add(state.ToString().ToLowerInvariant());
        }
        if (report.WeightPercent is { } percent)
        {
            parts.Add($"{percent}%");
        }
        var text = parts.Count == 0 ? "no state" : string.Join(' ', parts);
        return report.Reason is null ? text : $"{text} ({report.Reason})";
    }

    internal static IHealthCheck? Create(BlockReader reader, CheckTarget target, TimeSpan serviceDelayLoop)
    {
        var common = new CommonOptions(target with { Port = DefaultPort }, serviceDelayLoop, defaultRetry: 1);
        foreach (var line in reader.Block.Children)
        {
            if (!common.TryTake(line, reader))
            {
                reader.Unknown(line);
            }
        }
        return common.Validate(reader, needsPort: true) ? new AgentCheck(common.Endpoint, common.BindEndpoint, common.Timing) : null;
    }
}
