namespace Lvs.Daemon.Web;

/// <summary>One thing that happened in lvsd that an operator wants to see on the dashboard.</summary>
/// <param name="Seq">Increases by one per event, from 1; lets a client skip events it has.</param>
/// <param name="TimeMs">Milliseconds since the Unix epoch.</param>
/// <param name="Kind">What kind: see <see cref="EventKinds"/>.</param>
/// <param name="Message">One line for people.</param>
public sealed record DaemonEvent(long Seq, long TimeMs, string Kind, string Message);

/// <summary>The kinds of <see cref="DaemonEvent"/> lvsd records.</summary>
public static class EventKinds
{
    public const string Start = "start";
    public const string Stop = "stop";
    public const string Reload = "reload";
    public const string ReloadFailed = "reload-failed";
    public const string Config = "config";
    public const string ServerDown = "server-down";
    public const string ServerUp = "server-up";
    public const string Failover = "failover";
    public const string Error = "error";
}

/// <summary>
/// The last <see cref="Capacity"/> events, oldest dropped first: memory stays bounded however
/// long lvsd runs. Written by whoever logs such an event (start, reload, configuration changes,
/// and the health checkers and VRRP when they are wired in), read by the web listener.
/// </summary>
public sealed class EventRing(int capacity, TimeProvider time)
{
    private readonly DaemonEvent?[] _items = new DaemonEvent?[capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity))];
    private readonly object _gate = new();
    private long _next = 1;

    public int Capacity => _items.Length;

    /// <summary>Records an event and returns it.</summary>
    public DaemonEvent Add(string kind, string message)
    {
        lock (_gate)
        {
            var e = new DaemonEvent(_next, time.GetUtcNow().ToUnixTimeMilliseconds(), kind, message);
            _items[(int)((_next - 1) % _items.Length)] = e;
            _next++;
            return e;
        }
    }

    /// <summary>The newest events, at most <paramref name="max"/>, oldest first.</summary>
    public IReadOnlyList<DaemonEvent> Recent(int max)
    {
        lock (_gate)
        {
            long count = Math.Min(Math.Min(max, _items.Length), _next - 1);
            var result = new DaemonEvent[count];
            long first = _next - count;
            for (long i = 0; i < count; i++)
            {
                result[i] = _items[(int)((first + i - 1) % _items.Length)]!;
            }

            return result;
        }
    }
}
