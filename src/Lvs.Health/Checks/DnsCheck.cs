using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Lvs.Health.Config;

namespace Lvs.Health.Checks;

/// <summary>
/// keepalived's DNS_CHECK: one UDP query (type, default SOA; name, default ".") to
/// connect_ip:connect_port (default the real server's port, else 53); up when a valid reply
/// with the query's id arrives within connect_timeout (see <see cref="DnsMessage.Validate"/>).
/// </summary>
public sealed class DnsCheck : IHealthCheck
{
    private readonly byte[] _encodedName;

    internal DnsCheck(IPEndPoint endpoint, IPEndPoint? bind, CheckTiming timing, string name, ushort type, byte[] encodedName)
    {
        Endpoint = endpoint;
        Bind = bind;
        Timing = timing;
        Name = name;
        Type = type;
        _encodedName = encodedName;
    }

    /// <summary>Where the query goes.</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>The local address and port (bindto, bind_port), or null.</summary>
    public IPEndPoint? Bind { get; }

    /// <summary>The queried name.</summary>
    public string Name { get; }

    /// <summary>The queried record type (numeric).</summary>
    public ushort Type { get; }

    /// <inheritdoc/>
    public string Kind => "DNS_CHECK";

    /// <inheritdoc/>
    public CheckTiming Timing { get; }

    /// <inheritdoc/>
    public async Task<CheckResult> RunAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timing.ConnectTimeout);
        var query = new byte[DnsMessage.HeaderLength + _encodedName.Length + 4];
        DnsMessage.WriteQuery(query, (ushort)RandomNumberGenerator.GetInt32(0, 65536), _encodedName, Type);
        var reply = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            using var socket = Connector.OpenUdp(Endpoint, Bind);
            await socket.SendAsync(query, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var n = await socket.ReceiveAsync(reply.AsMemory(), SocketFlags.None, timeout.Token).ConfigureAwait(false);
            var reason = DnsMessage.Validate(reply.AsSpan(0, n), query);
            return reason is null ? new CheckResult(true, "valid DNS reply") : new CheckResult(false, reason);
        }
        catch (Exception e)
        {
            return Connector.Failure(e, Timing.ConnectTimeout, ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(reply);
        }
    }

    internal static IHealthCheck? Create(BlockReader reader, CheckTarget target, TimeSpan serviceDelayLoop)
    {
        var common = new CommonOptions(target, serviceDelayLoop, defaultRetry: 1);
        if (common.ConnectPort == 0)
        {
            common.ConnectPort = 53;
        }
        var name = ".";
        ushort type = 6;
        foreach (var line in reader.Block.Children)
        {
            if (common.TryTake(line, reader))
            {
                continue;
            }
            switch (line.Name)
            {
                case "type":
                    if (reader.Text(line, out var typeName))
                    {
                        if (DnsMessage.Types.TryGetValue(typeName, out var t))
                        {
                            type = t;
                        }
                        else
                        {
                            reader.Fail(line, $"type wants one of {string.Join(' ', DnsMessage.Types.Keys)}, not '{typeName}'");
                        }
                    }
                    break;
                case "name":
                    if (reader.Text(line, out var n))
                    {
                        name = n;
                    }
                    break;
                default:
                    reader.Unknown(line);
                    break;
            }
        }
        if (!DnsMessage.TryEncodeName(name, out var encoded))
        {
            reader.Fail(reader.Block, $"DNS_CHECK: '{name}' is not a valid domain name");
        }
        if (!common.Validate(reader, needsPort: true))
        {
            return null;
        }
        return new DnsCheck(common.Endpoint, common.BindEndpoint, common.Timing, name, type, encoded);
    }
}
