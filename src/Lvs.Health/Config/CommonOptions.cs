using System.Net;

namespace Lvs.Health.Config;

/// <summary>
/// The keywords every keepalived checker takes: where to connect (connect_ip, connect_port,
/// bindto, bind_port) and when (connect_timeout, retry/nb_get_retry, delay_before_retry,
/// delay_loop, warmup). Defaults as keepalived's: connect_timeout 5 s, retry 1 (0 for
/// MISC_CHECK), delay_before_retry 1 s, delay_loop the virtual server's, warmup 0.
/// </summary>
internal sealed class CommonOptions(CheckTarget target, TimeSpan serviceDelayLoop, int defaultRetry)
{
    private const double MaxTimerSeconds = 86_400;

    public IPAddress ConnectIp { get; private set; } = target.Address;

    public ushort ConnectPort { get; set; } = target.Port;

    public IPAddress? BindTo { get; private set; }

    public ushort BindPort { get; private set; }

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public int Retry { get; private set; } = defaultRetry;

    public TimeSpan DelayBeforeRetry { get; private set; } = TimeSpan.FromSeconds(1);

    public TimeSpan DelayLoop { get; private set; } = serviceDelayLoop;

    public TimeSpan Warmup { get; private set; } = TimeSpan.Zero;

    public IPEndPoint Endpoint => new(ConnectIp, ConnectPort);

    public IPEndPoint? BindEndpoint => BindTo is null && BindPort == 0
        ? null
        : new IPEndPoint(BindTo ?? (ConnectIp.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any), BindPort);

    /// <summary>Takes a common keyword line; false when the line is not one (the caller handles it).</summary>
    public bool TryTake(HealthBlock line, BlockReader reader)
    {
        switch (line.Name)
        {
            case "connect_ip":
                if (reader.Address(line, out var ip))
                {
                    ConnectIp = ip;
                }
                return true;
            case "connect_port":
                if (reader.Port(line, out var port))
                {
                    ConnectPort = port;
                }
                return true;
            case "bindto":
                if (reader.Address(line, out var bind))
                {
                    BindTo = bind;
                }
                return true;
            case "bind_port":
                if (reader.Port(line, out var bindPort))
                {
                    BindPort = bindPort;
                }
                return true;
            case "connect_timeout":
                if (reader.Timer(line, MaxTimerSeconds, out var timeout))
                {
                    ConnectTimeout = timeout;
                }
                return true;
            case "retry" or "nb_get_retry":
                if (reader.Int(line, 0, 1_000_000, out var retry))
                {
                    Retry = retry;
                }
                return true;
            case "delay_before_retry":
                if (reader.Timer(line, MaxTimerSeconds, out var pause))
                {
                    DelayBeforeRetry = pause;
                }
                return true;
            case "delay_loop":
                if (reader.Timer(line, MaxTimerSeconds, out var loop))
                {
                    DelayLoop = loop;
                }
                return true;
            case "warmup":
                if (reader.Timer(line, MaxTimerSeconds, out var warmup))
                {
                    Warmup = warmup;
                }
                return true;
            case "fwmark" or "bind_if":
                // Marking or binding a check's packets to a device needs privileges lvsd's checkers do not use.
                reader.Warn(line, $"{line.Name} in {reader.Block.Name} is not supported, ignored");
                return true;
            default:
                return false;
        }
    }

    /// <summary>Checks the combination once every line was read.</summary>
    public bool Validate(BlockReader reader, bool needsPort)
    {
        if (reader.Failed)
        {
            return false;
        }
        if (needsPort && ConnectPort == 0)
        {
            reader.Fail(reader.Block, $"{reader.Block.Name} needs a port: the real server has none, set connect_port");
            return false;
        }
        if (ConnectTimeout <= TimeSpan.Zero)
        {
            reader.Fail(reader.Block, $"{reader.Block.Name}: connect_timeout must be above 0");
            return false;
        }
        if (DelayLoop <= TimeSpan.Zero)
        {
            reader.Fail(reader.Block, $"{reader.Block.Name}: delay_loop must be above 0");
            return false;
        }
        if (BindTo is not null && BindTo.AddressFamily != ConnectIp.AddressFamily)
        {
            reader.Fail(reader.Block, $"{reader.Block.Name}: bindto {BindTo} and connect_ip {ConnectIp} are of different families");
            return false;
        }
        return true;
    }

    public CheckTiming Timing => new(DelayLoop, Retry, DelayBeforeRetry, ConnectTimeout, Warmup);
}
