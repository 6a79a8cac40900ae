using System.Text;
using Lvs.Linux.Interop;
using XdpAbi = Lvs.Linux.Interop.Xdp;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>How the program runs on the interface.</summary>
public enum XdpMode
{
    /// <summary>Generic XDP (XDP_FLAGS_SKB_MODE): on any interface, after the skb is built.</summary>
    Generic,

    /// <summary>Native XDP (XDP_FLAGS_DRV_MODE) in the driver; veth has it.</summary>
    Native,
}

/// <summary>
/// An XDP program attached to one interface. Attached through a bpf_link (BPF_LINK_CREATE), which
/// the kernel detaches by itself when the last fd to it closes, so a crashed or killed lvsd leaves no
/// program behind. Where bpf_link is refused (kernels before 5.9), it falls back to rtnetlink's
/// IFLA_XDP, which outlives the process: <see cref="RemoveStale"/> clears such a leftover at start.
/// </summary>
public sealed class XdpAttachment : IDisposable
{
    private int _linkFd;
    private bool _viaNetlink;

    private XdpAttachment(int ifIndex, XdpMode mode, int linkFd, bool viaNetlink)
    {
        IfIndex = ifIndex;
        Mode = mode;
        _linkFd = linkFd;
        _viaNetlink = viaNetlink;
    }

    /// <summary>The interface.</summary>
    public int IfIndex { get; }

    /// <summary>The mode it was attached in.</summary>
    public XdpMode Mode { get; }

    /// <summary>True when attached through rtnetlink (no bpf_link).</summary>
    public bool ViaNetlink => _viaNetlink;

    /// <summary>
    /// Attaches <paramref name="program"/> to <paramref name="ifIndex"/>. Fails (EBUSY/EEXIST) if the
    /// interface already runs an XDP program: call <see cref="RemoveStale"/> first.
    /// </summary>
    public static XdpAttachment Attach(BpfProgram program, int ifIndex, XdpMode mode)
    {
        uint flags = mode == XdpMode.Native ? Bpf.XDP_FLAGS_DRV_MODE : Bpf.XDP_FLAGS_SKB_MODE;
        var attr = new Bpf.LinkCreateAttr
        {
            ProgFd = (uint)program.Fd,
            TargetIfIndex = (uint)ifIndex,
            AttachType = Bpf.BPF_XDP,
            Flags = flags,
        };
        int fd = Bpf.Call(Bpf.BPF_LINK_CREATE, ref attr);
        if (fd >= 0)
        {
            return new XdpAttachment(ifIndex, mode, fd, viaNetlink: false);
        }

        int errno = Errno.Last;
        if (errno != Errno.EINVAL && errno != 95 /* EOPNOTSUPP */)
        {
            throw new LinuxException($"bpf(BPF_LINK_CREATE xdp ifindex {ifIndex} {mode})", errno);
        }

        XdpNetlink.Set(ifIndex, program.Fd, flags | Bpf.XDP_FLAGS_UPDATE_IF_NOEXIST);
        return new XdpAttachment(ifIndex, mode, -1, viaNetlink: true);
    }

    /// <summary>
    /// Swaps <paramref name="program"/> in for the attached one, atomically: every frame meets
    /// either the old program or the new one, never none (BPF_LINK_UPDATE on the bpf_link, or
    /// IFLA_XDP without UPDATE_IF_NOEXIST, which replaces, on the rtnetlink fallback).
    /// </summary>
    public void Replace(BpfProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        if (_linkFd >= 0)
        {
            var attr = new Bpf.LinkUpdateAttr { LinkFd = (uint)_linkFd, NewProgFd = (uint)program.Fd };
            if (Bpf.Call(Bpf.BPF_LINK_UPDATE, ref attr) < 0)
            {
                throw new LinuxException($"bpf(BPF_LINK_UPDATE xdp ifindex {IfIndex})", Errno.Last);
            }
        }
        else if (_viaNetlink)
        {
            XdpNetlink.Set(IfIndex, program.Fd, Mode == XdpMode.Native ? Bpf.XDP_FLAGS_DRV_MODE : Bpf.XDP_FLAGS_SKB_MODE);
        }
        else
        {
            throw new ObjectDisposedException(nameof(XdpAttachment));
        }
    }

    /// <summary>
    /// Removes an XDP program named <see cref="XdpRedirectProgram.ProgramName"/> that a previous run
    /// left on <paramref name="ifIndex"/> through rtnetlink. Returns a description of what it removed,
    /// or null. Another program (not ours) is left alone and reported by the exception of the attach
    /// that follows. A program held by a live bpf_link (another lvsd running) cannot be removed this
    /// way: the kernel answers EBUSY, which is thrown.
    /// </summary>
    public static string? RemoveStale(int ifIndex)
    {
        var state = XdpNetlink.Query(ifIndex);
        if (state.ProgramId == 0)
        {
            return null;
        }

        string? name = ProgramNameOf(state.ProgramId);
        if (name != XdpRedirectProgram.ProgramName)
        {
            return null;
        }

        uint flags = state.Attached == XdpAbi.XDP_ATTACHED_DRV ? Bpf.XDP_FLAGS_DRV_MODE : Bpf.XDP_FLAGS_SKB_MODE;
        XdpNetlink.Set(ifIndex, -1, flags);
        return $"removed stale XDP program {name} (id {state.ProgramId}) from ifindex {ifIndex}";
    }

    /// <summary>The XDP state of an interface, as `ip link show` reports it.</summary>
    public static XdpLinkState Query(int ifIndex) => XdpNetlink.Query(ifIndex);

    /// <summary>Detaches the program.</summary>
    public void Dispose()
    {
        int fd = Interlocked.Exchange(ref _linkFd, -1);
        if (fd >= 0)
        {
            _ = Libc.Close(fd);
        }
        else if (_viaNetlink)
        {
            _viaNetlink = false;
            try
            {
                XdpNetlink.Set(IfIndex, -1, Mode == XdpMode.Native ? Bpf.XDP_FLAGS_DRV_MODE : Bpf.XDP_FLAGS_SKB_MODE);
            }
            catch (LinuxException ex) when (ex.Errno == Errno.ENODEV)
            {
                // The interface is gone, and its program with it.
            }
        }
    }

    private static unsafe string? ProgramNameOf(uint id)
    {
        var byId = new Bpf.GetFdByIdAttr { Id = id };
        int fd = Bpf.Call(Bpf.BPF_PROG_GET_FD_BY_ID, ref byId);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            var info = default(Bpf.ProgInfo);
            var attr = new Bpf.InfoByFdAttr { BpfFd = (uint)fd, InfoLen = (uint)sizeof(Bpf.ProgInfo), Info = (ulong)&info };
            if (Bpf.Call(Bpf.BPF_OBJ_GET_INFO_BY_FD, ref attr) != 0)
            {
                return null;
            }

            var span = new ReadOnlySpan<byte>(info.Name, 16);
            int end = span.IndexOf((byte)0);
            return Encoding.ASCII.GetString(end < 0 ? span : span[..end]);
        }
        finally
        {
            _ = Libc.Close(fd);
        }
    }
}
