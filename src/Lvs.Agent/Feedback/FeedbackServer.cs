using System.Net;
using System.Net.Sockets;
using System.Text;
using Lvs.Linux;

namespace Lvs.Agent.Feedback;

/// <summary>
/// lvs-agent feedback: serves HAProxy's agent-check protocol. Each client that connects gets the
/// latest sample's line and the connection is closed; what it sends is ignored. Sampling runs on its
/// own loop every interval, so an answer never waits for a measurement. At most
/// <see cref="FeedbackOptions.MaxClients"/> clients are served at once (the rest wait in the listen
/// backlog), each within <see cref="FeedbackOptions.ClientTimeout"/>.
/// </summary>
public sealed class FeedbackServer : IAsyncDisposable
{
    private readonly FeedbackOptions _options;
    private readonly MetricSampler _sampler;
    private readonly Socket _listener;
    private readonly SemaphoreSlim _slots;
    private readonly CancellationTokenSource _stop = new();
    private volatile string _answer = AgentAnswer.Fail("no sample yet");
    private Task? _sampling;
    private Task? _accepting;
    private long _served;

    public FeedbackServer(FeedbackOptions options, MetricSampler? sampler = null)
    {
        _options = options;
        _sampler = sampler ?? new MetricSampler(options);
        _slots = new SemaphoreSlim(options.MaxClients);
        _listener = new Socket(options.Bind.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (options.Bind.Equals(IPAddress.IPv6Any))
            {
                _listener.DualMode = true;
            }

            _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _listener.Bind(new IPEndPoint(options.Bind, options.Port));
            _listener.Listen(128);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
    }

    /// <summary>The local end the server listens on (useful with port 0 in tests).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    /// <summary>The line every client currently gets.</summary>
    public string CurrentAnswer => _answer;

    /// <summary>Clients served so far.</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>Takes the first sample, then starts sampling and accepting.</summary>
    public async Task StartAsync()
    {
        _answer = await _sampler.SampleAsync(_stop.Token).ConfigureAwait(false);
        Log.Info("feedback serving", ("listen", LocalEndPoint), ("metric", _options.Metric), ("answer", _answer.TrimEnd()));
        _sampling = Task.Run(SampleLoopAsync);
        _accepting = Task.Run(AcceptLoopAsync);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        foreach (Task? t in new[] { _sampling, _accepting })
        {
            if (t is not null)
            {
                try
                {
                    await t.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        _stop.Dispose();
        _slots.Dispose();
    }

    private async Task SampleLoopAsync()
    {
        using var timer = new PeriodicTimer(_options.Interval);
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            string next = await _sampler.SampleAsync(_stop.Token).ConfigureAwait(false);
            if (next != _answer)
            {
                Log.Info("feedback answer changed", ("answer", next.TrimEnd()));
            }

            _answer = next;
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await _slots.WaitAsync(_stop.Token).ConfigureAwait(false);
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                _slots.Release();
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        limit.CancelAfter(_options.ClientTimeout);
        try
        {
            byte[] line = Encoding.ASCII.GetBytes(_answer);
            await client.SendAsync(line, SocketFlags.None, limit.Token).ConfigureAwait(false);
            client.Shutdown(SocketShutdown.Send);
            // Closing with unread bytes (an agent-send string) would reset the connection and could
            // discard our line at the client: read off what has arrived, bounded.
            byte[] sink = new byte[256];
            for (int i = 0; i < 16 && client.Available > 0; i++)
            {
                client.Receive(sink, SocketFlags.None);
            }

            Interlocked.Increment(ref _served);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A client that vanished or would not take one line within the limit: nothing to do but close.
        }
        finally
        {
            client.Dispose();
            _slots.Release();
        }
    }
}
