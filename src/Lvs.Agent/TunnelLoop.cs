using System.Buffers.Binary;
using System.Net;
using Lvs.Agent.Decap;
using Lvs.Linux;
using Lvs.Linux.Tunnel;

namespace Lvs.Agent;

/// <summary>
/// User-space decapsulation: reads the tunnel socket in batches, strips the outer headers with
/// <see cref="Decapsulator"/> and writes each accepted inner packet to the TUN device, so the
/// local stack receives it as if it had arrived there. Runs on the calling thread until
/// <see cref="Stop"/>; allocates nothing per packet.
/// </summary>
internal sealed class TunnelLoop(TunnelType type, TunnelSocket socket, TunDevice tun, IReadOnlyList<IPAddress> vips, int statsIntervalSeconds)
{
    private const int PollMs = 200;

    private readonly uint[] _vips = [.. vips.Select(v => BinaryPrimitives.ReadUInt32BigEndian(v.GetAddressBytes()))];
    private volatile bool _stop;
    private volatile bool _statsRequested;

    public DropCounters Counters { get; } = new();

    public void Stop() => _stop = true;

    /// <summary>Asks the loop to log its counters (SIGUSR1), from any thread.</summary>
    public void RequestStats() => _statsRequested = true;

    public void Run()
    {
        long interval = statsIntervalSeconds * 1000L;
        long nextStats = interval > 0 ? Environment.TickCount64 + interval : long.MaxValue;
        while (!_stop)
        {
            int n = socket.Receive(PollMs);
            for (int i = 0; i < n; i++)
            {
                Handle(socket.Packet(i));
            }

            Counters.ReceiveTruncated = socket.Truncated;
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

    private void Handle(Span<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return;
        }

        DecapResult result = Decapsulator.Decapsulate(type, packet, _vips, out int offset, out int length);
        Counters.Count(result);
        if (result == DecapResult.Deliver && !tun.TryWrite(packet.Slice(offset, length), out _))
        {
            Counters.CountWriteFailed();
        }
    }
}
