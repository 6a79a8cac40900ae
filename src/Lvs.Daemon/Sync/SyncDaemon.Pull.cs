using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Lvs.Core.Sync;
using Lvs.Linux;

namespace Lvs.Daemon.Sync;

/// <summary>
/// Pull on boot (docs/sync-pull.md): a starting backup asks the sync group for the master's
/// whole table, counts the messages that come back and completes <see cref="InitialSyncDone"/>
/// once the master's Done says all were sent and the worker has installed them.
/// </summary>
public sealed partial class SyncDaemon
{
    private const int PullAttempts = 3;
    private static readonly TimeSpan PullWait = TimeSpan.FromSeconds(2);

    private readonly object _pullGate = new();
    private bool _pullStarted;
    private uint _pullNonce;
    private IPAddress? _pullFrom;
    private uint _pullMessages;
    private TaskCompletionSource<(IPAddress From, uint Messages)>? _pullDone;

    private void StartPull(SyncDaemonConfig config)
    {
        if (!_initial.Task.IsCompleted)
        {
            return; // one pull at a time
        }

        _pullStarted = true;
        _initial = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        TaskCompletionSource<bool> result = _initial;
        _ = Task.Run(async () => result.TrySetResult(await PullAsync(config)));
    }

    private async Task<bool> PullAsync(SyncDaemonConfig config)
    {
        for (int attempt = 1; attempt <= PullAttempts; attempt++)
        {
            if (_backup is null || _endpoint is not { } ep)
            {
                return false;
            }

            var done = new TaskCompletionSource<(IPAddress, uint)>(TaskCreationOptions.RunContinuationsAsynchronously);
            uint nonce = (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);
            lock (_pullGate)
            {
                _pullNonce = nonce;
                _pullFrom = null;
                _pullMessages = 0;
                _pullDone = done;
            }

            byte[] request = new byte[PullMessage.Length];
            new PullMessage(PullKind.Request, config.SyncId, nonce, 0).WriteTo(request);
            Send(ep, request, ep.Target);

            Task finished = await Task.WhenAny(done.Task, Task.Delay(PullWait));
            if (finished != done.Task)
            {
                Log.Info("pull: no master answered", ("attempt", attempt));
                continue;
            }

            (IPAddress from, uint sent) = done.Task.Result;
            uint received;
            lock (_pullGate)
            {
                received = _pullMessages;
                _pullDone = null;
            }

            if (received < sent)
            {
                Log.Warn("pull: messages lost, asking again", ("master", from), ("sent", sent), ("received", received));
                continue;
            }

            await _table.Installed();
            Log.Info("pull: master's table installed", ("master", from), ("messages", sent));
            return true;
        }

        lock (_pullGate)
        {
            _pullDone = null;
        }

        return false;
    }

    private void OnPullDone(PullMessage pull, IPEndPoint from)
    {
        lock (_pullGate)
        {
            if (_pullDone is { } done && pull.Nonce == _pullNonce && (_pullFrom is null || _pullFrom.Equals(from.Address)))
            {
                done.TrySetResult((from.Address, pull.Messages));
            }
        }
    }

    /// <summary>Counts the version 1 messages of the master that answers the current pull (the first to send).</summary>
    private void NotePulledMessage(SocketAddress from)
    {
        lock (_pullGate)
        {
            if (_pullDone is null)
            {
                return;
            }

            var address = ((IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(from)).Address;
            _pullFrom ??= address;
            if (_pullFrom.Equals(address))
            {
                _pullMessages++;
            }
        }
    }
}
