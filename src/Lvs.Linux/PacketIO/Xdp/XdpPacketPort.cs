using Lvs.Linux.Interop;
using Lvs.Linux.Netlink;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>
/// <see cref="IPacketPort"/> over AF_XDP: our <see cref="XdpRedirectProgram"/> attached to the
/// interface, one <see cref="XskSocket"/> per rx queue. Steered frames (services, NAT replies)
/// land in the sockets and never reach the kernel; everything else — ARP included — stays with
/// the kernel, so neighbours are resolved by asking the kernel (<see cref="RequestNeighbourFromKernel"/>,
/// <see cref="RequestNeighbourFromKernel6"/>) and learnt from rtnetlink events. Transmits on queue 0's socket.
/// </summary>
public sealed partial class XdpPacketPort : IPacketPort
{
    private const int MaxQueues = 64;

    private readonly XskSocket[] _sockets;
    private readonly int[] _pollFds;
    private readonly XdpRedirectProgram _program;
    private readonly XdpAttachment _attachment;
    private int _next;

    private XdpPacketPort(string name, int ifIndex, XdpRedirectProgram program, XdpAttachment attachment, XskSocket[] sockets)
    {
        Name = name;
        IfIndex = ifIndex;
        _program = program;
        _attachment = attachment;
        _sockets = sockets;
        _pollFds = [.. sockets.Select(s => s.Fd)];
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public int IfIndex { get; }

    /// <inheritdoc/>
    public string Kind => _attachment.Mode == XdpMode.Native ? "xdp-native" : "xdp-generic";

    /// <summary>The program and its maps (counters, steering).</summary>
    public XdpRedirectProgram Program => _program;

    /// <summary>The sockets, one per rx queue.</summary>
    public IReadOnlyList<XskSocket> Sockets => _sockets;

    /// <summary>What <see cref="Open"/> removed before attaching (a stale program of a crashed run), or null.</summary>
    public string? StaleRemoved { get; private init; }

    /// <inheritdoc/>
    public IReadOnlyList<int> PollFds => _pollFds;

    /// <inheritdoc/>
    public int Queued => _sockets[0].Queued;

    /// <summary>
    /// Loads the program, removes a stale one of ours, attaches in the first of
    /// <paramref name="modes"/> the interface accepts (default native, then generic), and binds a
    /// socket to every rx queue. Throws <see cref="LinuxException"/> or
    /// <see cref="BpfVerifierException"/> with the reason when XDP cannot be used here; nothing
    /// stays attached then.
    /// </summary>
    public static XdpPacketPort Open(string ifName, XskOptions? options = null, IReadOnlyList<XdpMode>? modes = null)
    {
        modes ??= [XdpMode.Native, XdpMode.Generic];
        int ifIndex = PacketSocket.IfIndexOf(ifName);
        string? stale = XdpAttachment.RemoveStale(ifIndex);
        var program = XdpRedirectProgram.Load(maxQueues: MaxQueues);
        XdpAttachment? attachment = null;
        var sockets = new List<XskSocket>();
        try
        {
            LinuxException? refused = null;
            foreach (var mode in modes)
            {
                try
                {
                    attachment = XdpAttachment.Attach(program.Program, ifIndex, mode);
                    break;
                }
                catch (LinuxException e)
                {
                    refused = e;
                }
            }

            if (attachment is null)
            {
                throw refused ?? new LinuxException("attach XDP", Errno.EINVAL);
            }

            sockets.Add(XskSocket.Open(ifName, 0, options));
            for (int queue = 1; queue < MaxQueues; queue++)
            {
                try
                {
                    sockets.Add(XskSocket.Open(ifName, queue, options));
                }
                catch (LinuxException e) when (e.Errno == Errno.EINVAL)
                {
                    break; // no such queue: all are bound
                }
            }

            foreach (var s in sockets)
            {
                program.SetSocket(s.QueueId, s.Fd);
            }

            return new XdpPacketPort(ifName, ifIndex, program, attachment, [.. sockets]) { StaleRemoved = stale };
        }
        catch
        {
            foreach (var s in sockets)
            {
                s.Dispose();
            }

            attachment?.Dispose();
            program.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public int Drain<THandler>(ref THandler handler, int maxFrames)
        where THandler : struct, IFrameHandler
    {
        if (_sockets.Length == 1)
        {
            return _sockets[0].Drain(ref handler, maxFrames);
        }

        // Start at a different queue each call so one busy queue cannot starve the others.
        int handled = 0;
        for (int i = 0; i < _sockets.Length && handled < maxFrames; i++)
        {
            handled += _sockets[(_next + i) % _sockets.Length].Drain(ref handler, maxFrames - handled);
        }

        _next = (_next + 1) % _sockets.Length;
        return handled;
    }

    /// <inheritdoc/>
    public bool TryEnqueue(ReadOnlySpan<byte> frame, in VirtioNetHeader vnet) => _sockets[0].TryEnqueue(frame, vnet);

    /// <inheritdoc/>
    public Span<byte> Reserve(int length) => _sockets[0].Reserve(length);

    /// <inheritdoc/>
    public void Commit(int length, in VirtioNetHeader vnet) => _sockets[0].Commit(length, vnet);

    /// <inheritdoc/>
    public int Flush() => _sockets[0].Flush();

    /// <inheritdoc/>
    public bool RequestNeighbourFromKernel(uint ipv4Address)
    {
        XdpNetlink.Solicit(IfIndex, ipv4Address);
        return true;
    }

    /// <inheritdoc/>
    public bool RequestNeighbourFromKernel6(in Ip6 address)
    {
        XdpNetlink.Solicit6(IfIndex, address);
        return true;
    }

    /// <inheritdoc/>
    public PortDrops ReadDrops()
    {
        ulong rx = 0, noFrame = 0, tooBig = 0, error = 0;
        foreach (var s in _sockets)
        {
            var st = s.ReadStatistics();
            rx += st.RxDropped + st.RxRingFull;
            noFrame += st.TxDroppedNoFrame;
            tooBig += st.TxDroppedTooBig;
            error += st.TxDroppedMalformed + st.TxInvalidDescs + st.RxInvalidDescs;
        }

        return new PortDrops(rx, noFrame, tooBig, error);
    }

    /// <summary>Detaches the program first (steered traffic goes back to the kernel path), then closes the sockets.</summary>
    public void Dispose()
    {
        _attachment.Dispose();
        foreach (var s in _sockets)
        {
            s.Dispose();
        }

        _program.Dispose();
    }
}
