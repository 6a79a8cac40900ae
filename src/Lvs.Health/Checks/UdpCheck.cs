using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Lvs.Health.Config;

namespace Lvs.Health.Checks;

/// <summary>
/// keepalived's UDP_CHECK: sends payload (hex, default empty) to connect_ip:connect_port. An
/// ICMP port unreachable is down. Without require_reply, silence until connect_timeout is up;
/// with it, a reply must arrive, begin with the require_reply bytes when given, and have a
/// length within min_reply_length..max_reply_length.
/// </summary>
public sealed class UdpCheck : IHealthCheck
{
    internal UdpCheck(IPEndPoint endpoint, IPEndPoint? bind, CheckTiming timing, byte[] payload, bool requireReply, byte[] expected, int minLength, int maxLength)
    {
        Endpoint = endpoint;
        Bind = bind;
        Timing = timing;
        Payload = payload;
        RequireReply = requireReply;
        Expected = expected;
        MinReplyLength = minLength;
        MaxReplyLength = maxLength;
    }

    /// <summary>Where the datagram goes.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>The local address and port (bindto, bind_port), or null.</summary>
    public IPEndPoint? Bind { get; }

    /// <summary>The datagram sent.</summary>
    public byte[] Payload { get; }

    /// <summary>Whether a reply is needed.</summary>
    public bool RequireReply { get; }

    /// <summary>The bytes a reply must begin with (may be empty).</summary>
    public byte[] Expected { get; }

    /// <summary>Shortest acceptable reply.</summary>
    public int MinReplyLength { get; }

    /// <summary>Longest acceptable reply.</summary>
    public int MaxReplyLength { get; }

    /// <inheritdoc/>
    public string Kind => "UDP_CHECK";

    /// <inheritdoc/>
    public CheckTiming Timing { get; }

    /// <inheritdoc/>
    public async Task<CheckResult> RunAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timing.ConnectTimeout);
        var reply = ArrayPool<byte>.Shared.Rent(65536);
        try
        {
            using var socket = Connector.OpenUdp(Endpoint, Bind);
            await socket.SendAsync(Payload, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            int n;
            try
            {
                n = await socket.ReceiveAsync(reply.AsMemory(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && !RequireReply)
            {
                return new CheckResult(true, "no ICMP error within connect_timeout");
            }
            return Judge(reply.AsSpan(0, n));
        }
        catch (Exception e)
        {
            var failure = Connector.Failure(e, Timing.ConnectTimeout, ct);
            return failure.Reason == "connection refused" ? failure with { Reason = "ICMP port unreachable" }
                : failure.Reason.StartsWith("timed out", StringComparison.Ordinal) ? failure with { Reason = "no reply: " + failure.Reason }
                : failure;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(reply);
        }
    }

    private CheckResult Judge(ReadOnlySpan<byte> reply)
    {
        if (reply.Length < MinReplyLength || reply.Length > MaxReplyLength)
        {
            return new CheckResult(false, $"reply of {reply.Length} bytes, wanted {MinReplyLength}..{MaxReplyLength}");
        }
        if (!reply.StartsWith(Expected))
        {
            return new CheckResult(false, "reply does not match require_reply");
        }
        return new CheckResult(true, $"reply of {reply.Length} bytes");
    }

    internal static IHealthCheck? Create(BlockReader reader, CheckTarget target, TimeSpan serviceDelayLoop)
    {
        var common = new CommonOptions(target, serviceDelayLoop, defaultRetry: 1);
        byte[] payload = [];
        byte[] expected = [];
        var requireReply = false;
        var min = 0;
        var max = 65535;
        foreach (var line in reader.Block.Children)
        {
            if (common.TryTake(line, reader))
            {
                continue;
            }
            switch (line.Name)
            {
                case "payload":
                    if (reader.Hex(line, out var p))
                    {
                        payload = p;
                    }
                    break;
                case "require_reply":
                    requireReply = true;
                    if (line.Arguments.Count > 0 && reader.Hex(line, out var e))
                    {
                        expected = e;
                    }
                    break;
                case "min_reply_length":
                    if (reader.Int(line, 0, 65535, out var lo))
                    {
                        min = lo;
                    }
                    break;
                case "max_reply_length":
                    if (reader.Int(line, 0, 65535, out var hi))
                    {
                        max = hi;
                    }
                    break;
                default:
                    reader.Unknown(line);
                    break;
            }
        }
        if (!reader.Failed && min > max)
        {
            reader.Fail(reader.Block, $"UDP_CHECK: min_reply_length {min} is above max_reply_length {max}");
        }
        if (!common.Validate(reader, needsPort: true))
        {
            return null;
        }
        return new UdpCheck(common.Endpoint, common.BindEndpoint, common.Timing, payload, requireReply, expected, min, max);
    }
}
