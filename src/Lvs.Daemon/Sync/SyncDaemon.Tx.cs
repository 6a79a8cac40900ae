using System.Diagnostics;
using System.Net;
using Lvs.Core.Sync;
using Lvs.Linux;

namespace Lvs.Daemon.Sync;

/// <summary>The master side: draining the worker's ring into messages, and answering pulls.</summary>
public sealed partial class SyncDaemon
{
    private Thread? _sender;
    private volatile bool _senderStopping;

    private void StartSender()
    {
        _senderStopping = false;
        _sender = new Thread(SendLoop) { IsBackground = true, Name = "lvsd-sync-tx" };
        _sender.Start();
    }

    private void StopSender()
    {
        _senderStopping = true;
        _sender?.Join(TimeSpan.FromSeconds(2));
        _sender = null;
    }

    private void SendLoop()
    {
        SyncDaemonConfig? config = _master;
        Endpoint? ep = _endpoint;
        if (config is null || ep is null)
        {
            return;
        }

        var encoder = new SyncEncoder(config.SyncId, config.EffectiveMaxLength("master", ep.Mtu));
        long firstUse = 0;
        while (!_senderStopping)
        {
            foreach (SyncSource source in _sources)
            {
                while (source.Ring.TryRead(out SyncEntry e))
                {
                    if (encoder.IsEmpty)
                    {
                        firstUse = Stopwatch.GetTimestamp();
                    }

                    if (!encoder.TryAdd(e))
                    {
                        Flush(ep, encoder);
                        encoder.TryAdd(e);
                        firstUse = Stopwatch.GetTimestamp();
                    }
                }
            }

            if (!encoder.IsEmpty && Stopwatch.GetElapsedTime(firstUse) >= FlushInterval)
            {
                Flush(ep, encoder);
            }

            Thread.Sleep(10);
        }

        if (!encoder.IsEmpty)
        {
            Flush(ep, encoder);
        }
    }

    private void Flush(Endpoint ep, SyncEncoder encoder)
    {
        Send(ep, encoder.Message, ep.Target);
        Counters.Sent(encoder.Count);
        encoder.Reset();
    }

    private void OnPull(Endpoint ep, PullMessage pull, IPEndPoint from)
    {
        if (pull.Kind == PullKind.Done)
        {
            OnPullDone(pull, from);
            return;
        }

        if (_master is not { } master || (pull.SyncId != 0 && pull.SyncId != master.SyncId))
        {
            return;
        }

        // Off the receive thread: the snapshot waits for the worker and the answer is a burst.
        ThreadPool.QueueUserWorkItem(_ => AnswerPull(ep, master, pull.Nonce, from));
    }

    private void AnswerPull(Endpoint ep, SyncDaemonConfig master, uint nonce, IPEndPoint to)
    {
        SyncEntry[]? all = _table.Snapshot(TimeSpan.FromSeconds(5));
        if (all is null)
        {
            Log.Warn("pull request not answered: the worker did not list its table", ("from", to));
            return;
        }

        var encoder = new SyncEncoder(master.SyncId, master.EffectiveMaxLength("master", ep.Mtu));
        uint messages = 0;
        foreach (SyncEntry e in all)
        {
            if (!encoder.TryAdd(e))
            {
                SendPaced(ep, encoder, to, ref messages);
                encoder.TryAdd(e);
            }
        }

        if (!encoder.IsEmpty)
        {
            SendPaced(ep, encoder, to, ref messages);
        }

        Span<byte> done = stackalloc byte[PullMessage.Length];
        new PullMessage(PullKind.Done, master.SyncId, nonce, messages).WriteTo(done);
        Send(ep, done, to);
        Log.Info("pull answered", ("to", to), ("connections", all.Length), ("messages", messages));
    }

    private void SendPaced(Endpoint ep, SyncEncoder encoder, IPEndPoint to, ref uint messages)
    {
        Send(ep, encoder.Message, to);
        Counters.Sent(encoder.Count);
        encoder.Reset();
        if (++messages % 32 == 0)
        {
            Thread.Sleep(1); // let the backup's receive buffer drain
        }
    }
}
