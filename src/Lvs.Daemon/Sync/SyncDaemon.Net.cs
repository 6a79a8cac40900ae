using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Lvs.Core.Sync;
using Lvs.Linux;

namespace Lvs.Daemon.Sync;

/// <summary>The sync socket and its receive loop.</summary>
public sealed partial class SyncDaemon
{
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25; // asm-generic/socket.h

    private Endpoint? _endpoint;

    private sealed class Endpoint(Socket socket, SyncDaemonConfig config, int mtu)
    {
        public Socket Socket { get; } = socket;
        public SyncDaemonConfig Config { get; } = config;
        public int Mtu { get; } = mtu;
        public IPEndPoint Target { get; } = new(config.Group, config.Port);
        public volatile bool Stopping;
        public Thread? Receiver;
    }

    private string? OpenEndpoint(SyncDaemonConfig config)
    {
        if (SyncDaemonConfig.InterfaceInfo(config.Interface) is not { } info)
        {
            return $"no interface named '{config.Interface}'"; // ip_vs: ENODEV
        }

        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            // Send and receive on the sync interface only, whatever the routes say.
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(config.Interface + "\0"));
            socket.ReceiveBufferSize = 4 << 20; // a pull answer arrives as a burst
            socket.Bind(new IPEndPoint(IPAddress.Any, config.Port));
            if (config.IsMulticast)
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(info.Index));
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, config.Ttl);
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, false);
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(config.Group, info.Index));
            }
            else
            {
                socket.Ttl = (short)config.Ttl;
            }
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return $"cannot open the sync socket on {config.Interface} port {config.Port}: {e.Message}";
        }

        var ep = new Endpoint(socket, config, info.Mtu);
        ep.Receiver = new Thread(() => ReceiveLoop(ep)) { IsBackground = true, Name = "lvsd-sync-rx" };
        _endpoint = ep;
        ep.Receiver.Start();
        return null;
    }

    private void CloseEndpoint()
    {
        if (_endpoint is not { } ep)
        {
            return;
        }

        _endpoint = null;
        ep.Stopping = true;
        ep.Receiver?.Join(TimeSpan.FromSeconds(2));
        ep.Socket.Dispose();
    }

    private void ReceiveLoop(Endpoint ep)
    {
        byte[] buffer = new byte[65536];
        var from = new SocketAddress(AddressFamily.InterNetwork);
        try
        {
            while (!ep.Stopping)
            {
                if (!ep.Socket.Poll(200_000, SelectMode.SelectRead))
                {
                    continue;
                }

                int n = ep.Socket.ReceiveFrom(buffer, SocketFlags.None, from);
                OnDatagram(ep, buffer.AsSpan(0, n), from);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            if (!ep.Stopping)
            {
                Log.Error("sync receive failed", ("error", e.Message));
            }
        }
    }

    private void OnDatagram(Endpoint ep, ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (PullMessage.TryRead(datagram, out PullMessage pull))
        {
            OnPull(ep, pull, (IPEndPoint)ep.Target.Create(from));
            return;
        }

        if (_backup is not { } backup)
        {
            return; // a master alone does not listen to other masters, as ip_vs
        }

        SyncEntry[] entries = ArrayPool<SyncEntry>.Shared.Rent(SyncWire.MaxEntriesPerMessage);
        SyncDropReason r = SyncDecoder.Decode(datagram, backup.SyncId, backup.EffectiveMaxLength("backup", ep.Mtu), entries,
            out int count, Counters);
        if (r != SyncDropReason.None && count == 0)
        {
            ArrayPool<SyncEntry>.Shared.Return(entries);
            return;
        }

        Counters.Received(count);
        NotePulledMessage(from);
        _table.Install(entries, count);
    }

    private void Send(Endpoint ep, ReadOnlySpan<byte> message, IPEndPoint to)
    {
        try
        {
            ep.Socket.SendTo(message, SocketFlags.None, to);
        }
        catch (SocketException e)
        {
            // The next message may go through; a lost one is what sync_period's resends repair.
            Log.Warn("sync send failed", ("to", to), ("error", e.Message));
        }
    }
}
