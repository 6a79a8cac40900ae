using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using Lvs.Core;
using Lvs.Core.Forwarding;
using Lvs.Core.Packets;
using Lvs.Core.Services;
using Lvs.Linux;
using Lvs.Linux.Netlink;
using Lvs.Linux.PacketIO;

namespace Lvs.Daemon.DataPath;

/// <summary>
/// One data-path worker: receives from every served interface's ring, runs each frame through
/// its <see cref="Director"/>, resolves the next hop (routes and neighbours mirrored from
/// rtnetlink) and queues the frame on the outgoing interface, flushing once per batch.
/// </summary>
/// <remarks>
/// Runs on its own thread; the only shared state it touches is the service table (lock-free
/// reads, scheduler lock on new connections), the netlink mirror's published views and its own
/// counters. The control plane talks to it through <see cref="RequestResolve"/>, a queue plus a wakeup.
/// </remarks>
public sealed partial class Worker : IDisposable
{
    private const int BatchFrames = 256;
    private const int TickMs = 100;

    private readonly Director _director;
    private readonly NetlinkMirror _mirror;
    private readonly RtNetlinkSocket? _netlink;
    private readonly Port[] _ports;
    private readonly Port?[] _portByIfIndex;
    private readonly PollSet _poll;
    private readonly WakeupEvent _wakeup = new();
    private readonly PendingFrames _pending = new();
    private readonly ConcurrentQueue<InetAddress> _resolveRequests = new();
    private readonly byte[] _arpFrame = new byte[64];
    private readonly Thread _thread;
    private readonly int _netlinkIndex;
    private readonly int _wakeIndex;
    private readonly int _index;
    private readonly bool _pinCpu;
    private volatile bool _stopping;
    private long _lastTick;
    private InetAddress[] _resolveTargets = [];
    private long _neighbourLosses;

    /// <param name="netlink">The socket whose events this worker applies to the shared mirror; null for
    /// every worker but one, since the mirror has one writer.</param>
    /// <param name="index">The worker's number; with <paramref name="pinCpu"/> also the CPU its thread is pinned to.</param>
    public Worker(Director director, NetlinkMirror mirror, RtNetlinkSocket? netlink, IReadOnlyList<Port> ports, int index = 0, bool pinCpu = false)
    {
        _index = index;
        _pinCpu = pinCpu;
        _director = director;
        _mirror = mirror;
        _netlink = netlink;
        _ports = [.. ports];
        _portByIfIndex = new Port?[ports.Max(p => p.IfIndex) + 1];
        foreach (Port p in ports)
        {
            _portByIfIndex[p.IfIndex] = p;
        }

        _poll = new PollSet(ports.Sum(p => p.Io.PollFds.Count) + 2);
        foreach (Port p in ports)
        {
            foreach (int fd in p.Io.PollFds)
            {
                _poll.Add(fd);
            }
        }

        _netlinkIndex = netlink is null ? -1 : _poll.Add(netlink.Fd);
        _wakeIndex = _poll.Add(_wakeup.Fd);
        _thread = new Thread(Run) { IsBackground = true, Name = $"lvsd-worker-{index}" };
    }

    /// <summary>Set when the loop died with an exception (it is logged); the daemon then exits.</summary>
    public Exception? Failure { get; private set; }

    public event Action? Failed;

    public void Start() => _thread.Start();

    /// <summary>
    /// The addresses whose next hops' MACs must stay known (every real server): whenever the
    /// kernel drops a usable neighbour, the worker asks again for those of these it no longer has.
    /// </summary>
    public void SetResolveTargets(InetAddress[] targets) => Volatile.Write(ref _resolveTargets, targets);

    /// <summary>Asks the worker to resolve an address's MAC now (e.g. a real server just added).</summary>
    public void RequestResolve(InetAddress address)
    {
        _resolveRequests.Enqueue(address);
        _wakeup.Signal();
    }

    public void Stop()
    {
        _stopping = true;
        _wakeup.Signal();
        if (_thread.IsAlive)
        {
            _thread.Join(TimeSpan.FromSeconds(5));
        }
    }

    public void Dispose()
    {
        Stop();
        _poll.Dispose();
        _wakeup.Dispose();
    }

    private static long NowMs() => Stopwatch.GetTimestamp() * 1000 / Stopwatch.Frequency;

    private void Run()
    {
        try
        {
            if (_pinCpu && !Lvs.Linux.PacketIO.Fanout.PacketFanout.PinCurrentThread(_index))
            {
                Log.Warn("worker not pinned: CPU not available to lvsd", ("worker", _index));
            }

            Loop();
        }
        catch (Exception e)
        {
            // A bug, not bad input: bad frames are verdicts, not exceptions. Say so and stop.
            Failure = e;
            Log.Error("worker stopped", ("error", e.ToString()));
            Failed?.Invoke();
        }
    }

    private void Loop()
    {
        var handler = new FrameHandler(this);
        while (!_stopping)
        {
            _poll.Wait(TickMs);
            long now = NowMs();
            handler.Now = now;
            foreach (Port p in _ports)
            {
                // Drain each ring in bounded batches so one busy interface cannot starve the others.
                for (int n = 0; n < 64; n++)
                {
                    if (p.Io.Drain(ref handler, BatchFrames) < BatchFrames)
                    {
                        break;
                    }

                    FlushAll();
                    handler.Now = NowMs();
                }
            }

            FlushAll();

            if (_netlink is not null && _poll.IsReadable(_netlinkIndex))
            {
                _mirror.Refresh(_netlink);
                ResolveLostTargets(now);
            }

            if (_poll.IsReadable(_wakeIndex))
            {
                _wakeup.Reset();
            }

            if (!_listRequests.IsEmpty)
            {
                AnswerListRequests(now);
            }

            if (!_syncWork.IsEmpty)
            {
                ServiceSync(now);
            }

            while (_resolveRequests.TryDequeue(out InetAddress address))
            {
                Resolve(address, now);
            }

            if (_pending.Count > 0)
            {
                ServicePending(now);
            }

            if (now - _lastTick >= TickMs)
            {
                _lastTick = now;
                _director.Tick(now);
                if (_netlink is not null)
                {
                    ResolveTargets(now);
                }
            }
        }
    }

    /// <summary>At once when the kernel dropped a usable neighbour (usually before a packet needs it).</summary>
    private void ResolveLostTargets(long now)
    {
        long losses = _mirror.Neighbours.Losses;
        if (losses != _neighbourLosses)
        {
            _neighbourLosses = losses;
            ResolveTargets(now);
        }
    }

    /// <summary>
    /// Asks for every target's next hop not known now; the neighbour cache's rate limit keeps it to
    /// one request a second per neighbour. Also run every tick, for requests that went unanswered
    /// or that the kernel dropped while resolving (a flush in progress under XDP).
    /// </summary>
    private void ResolveTargets(long now)
    {
        foreach (InetAddress target in Volatile.Read(ref _resolveTargets))
        {
            Resolve(target, now);
        }
    }

    private void FlushAll()
    {
        foreach (Port p in _ports)
        {
            if (p.Io.Queued > 0)
            {
                p.Io.Flush();
            }
        }
    }
}
