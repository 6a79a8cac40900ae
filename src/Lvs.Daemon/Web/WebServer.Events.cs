using System.Text;
using Microsoft.AspNetCore.Http;

namespace Lvs.Daemon.Web;

/// <summary>
/// /api/events: Server-Sent Events. One payload per tick is built once and shared by every
/// client, so the cost does not grow with clients; at most <see cref="MaxEventClients"/>
/// streams are open (more get 503 and the browser's EventSource retries), a client that cannot
/// take a message within <see cref="WriteTimeout"/> is dropped, and every stream ends after
/// <see cref="StreamLifetime"/> (the browser reconnects), so none is held forever.
/// </summary>
public sealed partial class WebServer
{
    public const int MaxEventClients = 16;

    /// <summary>How often the dashboard gets a new status.</summary>
    public const int TickMs = 1000;

    /// <summary>Events carried by each tick's message; the first message carries the whole ring.</summary>
    public const int EventsPerTick = 32;

    public static readonly TimeSpan WriteTimeout = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan StreamLifetime = TimeSpan.FromMinutes(10);

    private readonly Timer _ticker;
    private readonly CancellationTokenSource _stopping = new();
    private TaskCompletionSource<byte[]> _nextTick = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _eventClients;

    /// <summary>Event streams open now.</summary>
    public int EventClients => Volatile.Read(ref _eventClients);

    private void Tick()
    {
        if (Volatile.Read(ref _eventClients) == 0)
        {
            return;
        }

        byte[] payload;
        try
        {
            payload = Message(EventsPerTick);
        }
        catch (InvalidOperationException)
        {
            // No snapshot this tick; clients keep the last one and wait for the next.
            return;
        }

        TaskCompletionSource<byte[]> done = Interlocked.Exchange(ref _nextTick, new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously));
        done.SetResult(payload);
    }

    private byte[] Message(int events)
    {
        byte[] json = StatusJson(events);
        byte[] message = new byte[json.Length + 8];
        Encoding.ASCII.GetBytes("data: ", message);
        json.CopyTo(message, 6);
        message[^2] = (byte)'\n';
        message[^1] = (byte)'\n';
        return message;
    }

    private async Task StreamEventsAsync(HttpContext ctx)
    {
        HttpResponse res = ctx.Response;
        if (HttpMethods.IsHead(ctx.Request.Method))
        {
            res.ContentType = "text/event-stream";
            return;
        }

        if (Interlocked.Increment(ref _eventClients) > MaxEventClients)
        {
            Interlocked.Decrement(ref _eventClients);
            res.StatusCode = StatusCodes.Status503ServiceUnavailable;
            res.Headers.RetryAfter = "5";
            await res.WriteAsync("too many event streams open\n");
            return;
        }

        try
        {
            res.ContentType = "text/event-stream";
            using var life = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping.Token);
            life.CancelAfter(StreamLifetime);
            await WriteAsync(res, Encoding.ASCII.GetBytes($"retry: {2 * TickMs}\n\n"), life.Token);
            await WriteAsync(res, Message(_events.Capacity), life.Token);
            while (!life.IsCancellationRequested)
            {
                byte[] payload = await Volatile.Read(ref _nextTick).Task.WaitAsync(life.Token);
                await WriteAsync(res, payload, life.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client left, was too slow, its time was up, or lvsd is stopping.
        }
        catch (IOException)
        {
            // The connection broke while writing.
        }
        finally
        {
            Interlocked.Decrement(ref _eventClients);
        }
    }

    private static async Task WriteAsync(HttpResponse res, byte[] payload, CancellationToken token)
    {
        using var slow = CancellationTokenSource.CreateLinkedTokenSource(token);
        slow.CancelAfter(WriteTimeout);
        await res.Body.WriteAsync(payload, slow.Token);
        await res.Body.FlushAsync(slow.Token);
    }
}
