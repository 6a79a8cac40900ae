using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Lvs.Agent.Decap;
using Lvs.Core.Packets;
using Lvs.Linux;
using Lvs.Linux.Tunnel;

namespace Lvs.Agent;

/// <summary>One tunnel socket and the encapsulation its reads carry.</summary>
internal readonly record struct TunnelChannel(TunnelSocket Socket, DecapPath Path);

/// <summary>
/// User-space decapsulation: waits on every tunnel socket at once, reads the ready ones in
/// batches, strips the outer headers with <see cref="Decapsulator"/> and writes each accepted
/// inner packet (IPv4 or IPv6: with IFF_NO_PI the kernel reads the version nibble) to the TUN
/// device, so the local stack receives it as if it had arrived there. Runs on the calling thread
/// until <see cref="Stop"/>; allocates nothing per packet.
/// </summary>
internal sealed class TunnelLoop
{
    private const int PollMs = 200;

    private readonly TunnelChannel[] _channels;
    private readonly TunnelSocket[] _sockets;
    private readonly TunDevice _tun;
    private readonly uint[] _vips4;
    private readonly Ipv6Address[] _vips6;
    private readonly int _statsIntervalSeconds;
    private volatile bool _stop;
    private volatile bool _statsRequested;

    public TunnelLoop(IReadOnlyList<TunnelChannel> channels, TunDevice tun, IReadOnlyList<IPAddress> vips, int statsIntervalSeconds)
    {
        _channels = [.. channels];
        _sockets = [.. channels.Select(c => c.Socket)];
        _tun = tun;
        _vips4 = [.. vips.Where(v => v.AddressFamily == AddressFamily.InterNetwork)
            .Select(v => BinaryPrimitives.ReadUInt32BigEndian(v.GetAddressBytes()))];
        _vips6 = [.. vips.Where(v => v.AddressFamily == AddressFamily.InterNetworkV6)
            .Select(v => Ipv6Address.ReadFrom(v.GetAddressBytes()))];
        _statsIntervalSeconds = statsIntervalSeconds;
    }

    public DropCounters Counters { get; } = new();

    public void Stop() => _stop = true;

    /// <summary>Asks the loop to log its counters (SIGUSR1), from any thread.</summary>
    public void RequestStats() => _statsRequested = true;

    public void Run()
    {
        long interval = _statsIntervalSeconds * 1000L;
        long nextStats = interval > 0 ? Environment.TickCount64 + interval : long.MaxValue;
        Span<bool> ready = stackalloc bool[_sockets.Length];
        while (!_stop)
        {
            if (TunnelSocket.WaitAny(_sockets, PollMs, ready) > 0)
            {
                for (int c = 0; c < _channels.Length; c++)
                {
                    if (!ready[c])
                    {
                        continue;
                    }

                    TunnelSocket socket = _channels[c].Socket;
                    int n = socket.Receive(0);
                    for (int i = 0; i < n; i++)
                    {
                        Handle(_channels[c].Path, socket.Packet(i));
                    }
                }
            }

            long truncated = 0;
            foreach (TunnelSocket socket in _sockets)
            {
                truncated += socket.Truncated;
            }

            Counters.ReceiveTruncated = truncated;
            if (_statsRequested || Environment.TickCount64 >= nextStats)
            {
                _statsRequested = false;
                if (interval > 0)
                {
                    nextStats = Environment.TickCount64 + interval;
                }

                LogCounters(Counters);
            }
        }
    }

    /// <summary>Logs one line per non-zero drop reason and one for the delivered packets.</summary>
    public static void LogCounters(DropCounters counters)
    {
        foreach ((string reason, long count) in counters.Lines())
        {
            Log.Info("counter", ("reason", reason), ("packets", count));
        }
    }

    private void Handle(DecapPath path, Span<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return;
        }

        DecapResult result = Decapsulator.Decapsulate(path, packet, _vips4, _vips6, out int offset, out int length);
        Counters.Count(result);
        if (result == DecapResult.Deliver && !_tun.TryWrite(packet.Slice(offset, length), out _))
        {
            Counters.CountWriteFailed();
        }
    }
}
