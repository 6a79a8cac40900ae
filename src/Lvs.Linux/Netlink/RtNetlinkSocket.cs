using System.Runtime.InteropServices;
using Lvs.Linux.Interop;
using static Lvs.Linux.Interop.Netlink;

namespace Lvs.Linux.Netlink;

/// <summary>rtnetlink multicast groups to subscribe to (RTMGRP_* in linux/rtnetlink.h).</summary>
[Flags]
public enum RtNetlinkGroups : uint
{
    None = 0,
    Link = RTMGRP_LINK,
    Neighbour = RTMGRP_NEIGH,
    IPv4Address = RTMGRP_IPV4_IFADDR,
    IPv4Route = RTMGRP_IPV4_ROUTE,
    IPv6Address = RTMGRP_IPV6_IFADDR,
    IPv6Route = RTMGRP_IPV6_ROUTE,

    /// <summary>Everything the routing view and neighbour cache follow.</summary>
    Default = Link | Neighbour | IPv4Address | IPv4Route | IPv6Address | IPv6Route,
}

/// <summary>Observer of raw netlink receive buffers.</summary>
internal delegate void RawReceiveHandler(ReadOnlySpan<byte> buffer);

/// <summary>
/// A NETLINK_ROUTE socket pair in the network namespace of the thread that opened it: one
/// socket for request/dump round trips and, unless opened without groups, one non-blocking
/// socket for multicast events whose <see cref="Fd"/> the caller polls. Not thread-safe:
/// one thread dumps and drains. Malformed messages are skipped and counted, never thrown.
/// </summary>
public sealed unsafe class RtNetlinkSocket : IDisposable
{
    private const int BufferSize = 64 * 1024;
    private const int DumpTimeoutMs = 5000;
    private const int DumpAttempts = 3;

    private readonly byte[] _buffer = GC.AllocateArray<byte>(BufferSize, pinned: true);
    private int _requestFd;
    private int _eventFd = -1;
    private uint _sequence;
    private long _malformed;
    private long _overruns;

    private RtNetlinkSocket(int requestFd) => _requestFd = requestFd;

    /// <summary>The event socket's descriptor for poll(2), or -1 when opened without event groups.</summary>
    public int Fd => _eventFd;

    /// <summary>Messages skipped because their lengths or values were impossible.</summary>
    public long MalformedMessages => Interlocked.Read(ref _malformed);

    /// <summary>Sees every raw receive buffer before decoding (tests capture real kernel output with it).</summary>
    internal RawReceiveHandler? RawReceived { get; set; }

    /// <summary>Times the kernel dropped events because the event socket's buffer was full.</summary>
    public long Overruns => Interlocked.Read(ref _overruns);

    /// <summary>
    /// Opens the request socket and, unless <paramref name="events"/> is <see cref="RtNetlinkGroups.None"/>,
    /// the event socket subscribed to those groups, both in the calling thread's network namespace
    /// (a netlink socket stays in the namespace it was created in). The subscription exists before
    /// any dump, so no change between a dump and the first drain is lost (events may repeat what a
    /// dump showed; sinks treat "new" as add-or-replace).
    /// </summary>
    /// <exception cref="LinuxException">socket or bind failed.</exception>
    public static RtNetlinkSocket Open(RtNetlinkGroups events = RtNetlinkGroups.Default)
    {
        var socket = new RtNetlinkSocket(OpenSocket(0, nonBlocking: false));
        try
        {
            if (events != RtNetlinkGroups.None)
            {
                socket._eventFd = OpenEventSocket((uint)events);
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads every queued event without blocking and hands it to <paramref name="sink"/>.
    /// Calls <see cref="INetlinkEventSink.OnOverrun"/> when the kernel dropped events.
    /// </summary>
    /// <returns>The number of messages read.</returns>
    public int DrainEvents(INetlinkEventSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (_eventFd < 0)
        {
            throw new InvalidOperationException("opened without event groups");
        }

        var messages = 0;
        while (true)
        {
            nint received;
            fixed (byte* p = _buffer)
            {
                received = Libc.Recv(_eventFd, p, (nuint)_buffer.Length, Libc.MSG_DONTWAIT);
            }

            if (received < 0)
            {
                var errno = Errno.Last;
                if (errno == Errno.EINTR)
                {
                    continue;
                }

                if (errno == Errno.EAGAIN)
                {
                    return messages;
                }

                if (errno == Errno.ENOBUFS)
                {
                    Interlocked.Increment(ref _overruns);
                    sink.OnOverrun();
                    continue;
                }

                throw new LinuxException("recv(netlink events)", errno);
            }

            RawReceived?.Invoke(_buffer.AsSpan(0, (int)received));
            var result = RtNetlinkDecoder.Decode(_buffer.AsSpan(0, (int)received), sink, 0);
            messages += result.Messages;
            Interlocked.Add(ref _malformed, result.Malformed);
        }
    }

    /// <summary>All interfaces (RTM_GETLINK dump).</summary>
    public IReadOnlyList<LinkInfo> DumpLinks() => Collect(RTM_GETLINK, IfInfoMsgSize).Links;

    /// <summary>All IPv4 and IPv6 interface addresses (RTM_GETADDR dump).</summary>
    public IReadOnlyList<AddressInfo> DumpAddresses() => Collect(RTM_GETADDR, IfAddrMsgSize).Addresses;

    /// <summary>
    /// All IPv4 and IPv6 routes of every table (RTM_GETROUTE dump); <see cref="RouteInfo.Table"/>
    /// tells main (254) from local (255).
    /// </summary>
    public IReadOnlyList<RouteInfo> DumpRoutes() => Collect(RTM_GETROUTE, RtMsgSize).Routes;

    /// <summary>All IPv4 and IPv6 neighbour entries (RTM_GETNEIGH dump).</summary>
    public IReadOnlyList<NeighbourInfo> DumpNeighbours() => Collect(RTM_GETNEIGH, NdMsgSize).Neighbours;

    /// <summary>Closes both sockets.</summary>
    public void Dispose()
    {
        if (_requestFd >= 0)
        {
            _ = Libc.Close(_requestFd);
            _requestFd = -1;
        }

        if (_eventFd >= 0)
        {
            _ = Libc.Close(_eventFd);
            _eventFd = -1;
        }
    }

    private CollectingSink Collect(ushort request, int headerSize)
    {
        ObjectDisposedException.ThrowIf(_requestFd < 0, this);

        // A dump that raced a change is flagged NLM_F_DUMP_INTR; it may miss or repeat
        // objects, so ask again (the kernel's own tools do the same).
        for (var attempt = 1; ; attempt++)
        {
            var sink = new CollectingSink();
            if (Dump(request, headerSize, sink) || attempt == DumpAttempts)
            {
                return sink;
            }
        }
    }

    /// <summary>Sends one dump request and decodes replies until NLMSG_DONE. False if interrupted.</summary>
    private bool Dump(ushort request, int headerSize, INetlinkEventSink sink)
    {
        var sequence = ++_sequence == 0 ? ++_sequence : _sequence;
        Span<byte> message = stackalloc byte[NlMsgHdrSize + 16];
        message.Clear();
        var length = NlMsgHdrSize + headerSize;
        MemoryMarshal.Write(message, (uint)length);
        MemoryMarshal.Write(message[4..], request);
        MemoryMarshal.Write(message[6..], (ushort)(NLM_F_REQUEST | NLM_F_DUMP));
        MemoryMarshal.Write(message[8..], sequence);

        // Family byte (first byte of every family header) stays AF_UNSPEC: all families.
        var kernel = new SockAddrNl { Family = Libc.AF_NETLINK };
        fixed (byte* p = message)
        {
            if (Libc.SendTo(_requestFd, p, (nuint)length, 0, &kernel, (uint)sizeof(SockAddrNl)) < 0)
            {
                throw LinuxException.FromLast("sendto(netlink)");
            }
        }

        var interrupted = false;
        while (true)
        {
            var received = ReceiveReply();
            RawReceived?.Invoke(_buffer.AsSpan(0, received));
            var result = RtNetlinkDecoder.Decode(_buffer.AsSpan(0, received), sink, sequence);
            Interlocked.Add(ref _malformed, result.Malformed);
            interrupted |= result.Interrupted;
            if (result.Error != 0)
            {
                throw new LinuxException($"netlink dump {request}", result.Error);
            }

            if (result.Done)
            {
                return !interrupted;
            }
        }
    }

    private int ReceiveReply()
    {
        while (true)
        {
            var pfd = new Libc.PollFd { Fd = _requestFd, Events = Libc.POLLIN };
            var ready = Libc.Poll(&pfd, 1, DumpTimeoutMs);
            if (ready < 0 && Errno.Last == Errno.EINTR)
            {
                continue;
            }

            if (ready < 0)
            {
                throw LinuxException.FromLast("poll(netlink)");
            }

            if (ready == 0)
            {
                throw new TimeoutException($"netlink dump: no reply within {DumpTimeoutMs} ms");
            }

            nint received;
            fixed (byte* p = _buffer)
            {
                received = Libc.Recv(_requestFd, p, (nuint)_buffer.Length, 0);
            }

            if (received >= 0)
            {
                return (int)received;
            }

            if (Errno.Last is not (Errno.EINTR or Errno.EAGAIN))
            {
                throw LinuxException.FromLast("recv(netlink)");
            }
        }
    }

    private static int OpenEventSocket(uint groups)
    {
        var fd = OpenSocket(groups, nonBlocking: true);

        // Bursts (a link going down withdraws many routes) must not overflow the queue;
        // SO_RCVBUFFORCE needs CAP_NET_ADMIN, SO_RCVBUF is the fallback.
        var size = 4 * 1024 * 1024;
        if (Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, &size, sizeof(int)) != 0)
        {
            _ = Libc.SetSockOpt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, &size, sizeof(int));
        }

        return fd;
    }

    private static int OpenSocket(uint groups, bool nonBlocking)
    {
        var type = Libc.SOCK_RAW | Libc.SOCK_CLOEXEC | (nonBlocking ? Libc.SOCK_NONBLOCK : 0);
        var fd = Libc.Socket(Libc.AF_NETLINK, type, NETLINK_ROUTE);
        if (fd < 0)
        {
            throw LinuxException.FromLast("socket(AF_NETLINK)");
        }

        var address = new SockAddrNl { Family = Libc.AF_NETLINK, Groups = groups };
        if (Libc.Bind(fd, &address, (uint)sizeof(SockAddrNl)) != 0)
        {
            var errno = Errno.Last;
            _ = Libc.Close(fd);
            throw new LinuxException("bind(AF_NETLINK)", errno);
        }

        return fd;
    }

    /// <summary>Collects a dump's objects into lists.</summary>
    private sealed class CollectingSink : INetlinkEventSink
    {
        public List<LinkInfo> Links { get; } = [];

        public List<AddressInfo> Addresses { get; } = [];

        public List<RouteInfo> Routes { get; } = [];

        public List<NeighbourInfo> Neighbours { get; } = [];

        public void OnLink(LinkInfo link, bool removed) => Links.Add(link);

        public void OnAddress(AddressInfo address, bool removed) => Addresses.Add(address);

        public void OnRoute(RouteInfo route, bool removed) => Routes.Add(route);

        public void OnNeighbour(NeighbourInfo neighbour, bool removed) => Neighbours.Add(neighbour);

        public void OnOverrun()
        {
        }
    }
}
