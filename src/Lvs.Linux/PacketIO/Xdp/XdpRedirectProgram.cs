using System.Net;
using System.Net.Sockets;
using Lvs.Linux.Steering;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>
/// Our XDP program and its maps: frames the director must see (destination in "services", or
/// source in "replies") are redirected to the AF_XDP socket of the queue they arrived on;
/// everything else (ARP, ICMP, the host's own traffic) passes to the kernel as if nothing were
/// attached. This replaces, for XDP I/O, the nftables ingress rules that keep VIP traffic from the
/// kernel: a redirected frame never reaches the kernel's stack.
/// </summary>
/// <remarks>
/// The maps and the program belong to this process: closing their fds (dispose or process exit)
/// frees them once no attachment holds the program. Map updates are safe from any thread
/// (bpf(2) serialises them); the data path reads them lock-free in the kernel.
/// </remarks>
public sealed partial class XdpRedirectProgram : IDisposable
{
    /// <summary>The program's name in the kernel, also how a stale attachment is recognised.</summary>
    public const string ProgramName = "lvs_xdp";

    private readonly BpfMap _services;
    private readonly BpfMap _replies;
    private readonly BpfMap _locals;
    private readonly BpfMap _sockets;
    private readonly BpfMap _stats;
    private BpfProgram _program;
    private readonly int _counterSlots = Enum.GetValues<XdpCounter>().Length;

    private XdpRedirectProgram(BpfMap services, BpfMap replies, BpfMap locals, BpfMap sockets, BpfMap stats, BpfProgram program)
    {
        _services = services;
        _replies = replies;
        _locals = locals;
        _sockets = sockets;
        _stats = stats;
        _program = program;
    }

    /// <summary>The loaded program.</summary>
    public BpfProgram Program => _program;

    /// <summary>The XSKMAP: rx queue index → AF_XDP socket.</summary>
    public BpfMap Sockets => _sockets;

    /// <summary>Instructions in the program.</summary>
    public int InstructionCount { get; private set; }

    /// <summary>
    /// Creates the maps and loads the program (the kernel verifies it here; a refusal throws
    /// <see cref="BpfVerifierException"/> with the verifier's log).
    /// </summary>
    /// <param name="maxFlows">Capacity of each of "services" and "replies".</param>
    /// <param name="maxQueues">Entries of the XSKMAP (one per rx queue).</param>
    public static XdpRedirectProgram Load(int maxFlows = 65536, int maxQueues = 64)
    {
        var maps = new List<IDisposable>();
        try
        {
            var services = Track(maps, BpfMap.CreateHash("lvs_services", XdpFlowKey.Size, 4, maxFlows));
            var replies = Track(maps, BpfMap.CreateHash("lvs_replies", XdpFlowKey.Size, 4, maxFlows));
            var locals = Track(maps, BpfMap.CreateHash("lvs_locals", XdpFlowKey.Size, 4, 4096));
            var sockets = Track(maps, BpfMap.CreateXskMap("lvs_xsks", maxQueues));
            var stats = Track(maps, BpfMap.CreatePerCpuCounters("lvs_xdp_stats", Enum.GetValues<XdpCounter>().Length));
            var insns = Emit(services.Fd, replies.Fd, locals.Fd, sockets.Fd, stats.Fd);
            var program = BpfProgram.LoadXdp(ProgramName, insns);
            return new XdpRedirectProgram(services, replies, locals, sockets, stats, program) { InstructionCount = insns.Length };
        }
        catch
        {
            foreach (var m in maps)
            {
                m.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Loads the program again over the same maps with <paramref name="marks"/> compiled in (the
    /// verifier checks it here), hands it to <paramref name="attach"/> to swap it in where the old
    /// one runs, then closes the old one. On any failure the new program is closed and the old one
    /// stays in force. <paramref name="marks"/> should come from <see cref="SelectMarkRules"/>.
    /// Not thread-safe with itself: callers serialise steering changes.
    /// </summary>
    public void ReplaceMarks(IReadOnlyList<MarkRule> marks, Action<BpfProgram> attach)
    {
        ArgumentNullException.ThrowIfNull(attach);
        var insns = Emit(_services.Fd, _replies.Fd, _locals.Fd, _sockets.Fd, _stats.Fd, marks);
        var next = BpfProgram.LoadXdp(ProgramName, insns);
        try
        {
            attach(next);
        }
        catch
        {
            next.Dispose();
            throw;
        }

        BpfProgram old = _program;
        _program = next;
        InstructionCount = insns.Length;
        old.Dispose();
    }

    /// <summary>Steers frames to <paramref name="vip"/>:<paramref name="port"/> (0 = every port) to the sockets.</summary>
    public void AddService(IPAddress vip, ushort port, ProtocolType protocol) =>
        _services.Update(XdpFlowKey.Create(vip, port, protocol), stackalloc byte[4]);

    /// <summary>Stops steering a service; false when it was not steered.</summary>
    public bool RemoveService(IPAddress vip, ushort port, ProtocolType protocol) =>
        _services.Delete(XdpFlowKey.Create(vip, port, protocol));

    /// <summary>Steers frames from a NAT real server <paramref name="rip"/>:<paramref name="port"/> to the sockets.</summary>
    public void AddReplySource(IPAddress rip, ushort port, ProtocolType protocol) =>
        _replies.Update(XdpFlowKey.Create(rip, port, protocol), stackalloc byte[4]);

    /// <summary>Stops steering a real server's replies; false when they were not steered.</summary>
    public bool RemoveReplySource(IPAddress rip, ushort port, ProtocolType protocol) =>
        _replies.Delete(XdpFlowKey.Create(rip, port, protocol));

    /// <summary>Marks <paramref name="address"/> as the director's own: replies addressed to it stay with the kernel.</summary>
    public void AddLocalAddress(IPAddress address) => _locals.Update(XdpFlowKey.CreateAddress(address), stackalloc byte[4]);

    /// <summary>Forgets a local address; false when it was not there.</summary>
    public bool RemoveLocalAddress(IPAddress address) => _locals.Delete(XdpFlowKey.CreateAddress(address));

    /// <summary>Puts the AF_XDP socket <paramref name="socketFd"/> in the XSKMAP slot of rx queue <paramref name="queue"/>.</summary>
    public void SetSocket(int queue, int socketFd)
    {
        Span<byte> key = stackalloc byte[4];
        Span<byte> value = stackalloc byte[4];
        BitConverter.TryWriteBytes(key, queue);
        BitConverter.TryWriteBytes(value, socketFd);
        _sockets.Update(key, value);
    }

    /// <summary>Empties the XSKMAP slot of <paramref name="queue"/>.</summary>
    public void ClearSocket(int queue)
    {
        Span<byte> key = stackalloc byte[4];
        BitConverter.TryWriteBytes(key, queue);
        _ = _sockets.Delete(key);
    }

    /// <summary>Reads one counter, summed over CPUs.</summary>
    public ulong ReadCounter(XdpCounter counter)
    {
        int cpus = PossibleCpus.Count;
        Span<byte> key = stackalloc byte[4];
        BitConverter.TryWriteBytes(key, (int)counter);
        var values = new byte[8 * cpus];
        if (!_stats.Lookup(key, values))
        {
            return 0;
        }

        ulong sum = 0;
        for (int i = 0; i < cpus; i++)
        {
            sum += BitConverter.ToUInt64(values, i * 8);
        }

        return sum;
    }

    /// <summary>All counters, by <see cref="XdpCounter"/>.</summary>
    public IReadOnlyDictionary<XdpCounter, ulong> ReadCounters()
    {
        var result = new Dictionary<XdpCounter, ulong>(_counterSlots);
        foreach (var c in Enum.GetValues<XdpCounter>())
        {
            result[c] = ReadCounter(c);
        }

        return result;
    }

    /// <summary>Closes the program and the maps (an attachment keeps the program alive until detached).</summary>
    public void Dispose()
    {
        _program.Dispose();
        _services.Dispose();
        _replies.Dispose();
        _locals.Dispose();
        _sockets.Dispose();
        _stats.Dispose();
    }

    private static BpfMap Track(List<IDisposable> list, BpfMap map)
    {
        list.Add(map);
        return map;
    }
}

/// <summary>The number of possible CPUs, which sizes per-CPU map values (/sys/devices/system/cpu/possible).</summary>
internal static class PossibleCpus
{
    private static readonly Lazy<int> Lazy = new(Read);

    public static int Count => Lazy.Value;

    /// <summary>Parses a CPU list such as "0-3,5" into a count (highest index + 1, as the kernel sizes it).</summary>
    public static int Parse(string list)
    {
        int max = -1;
        foreach (var part in list.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var range = part.Split('-');
            max = Math.Max(max, int.Parse(range[^1], System.Globalization.CultureInfo.InvariantCulture));
        }

        return max < 0 ? throw new FormatException($"no CPUs in '{list}'") : max + 1;
    }

    private static int Read() => Parse(File.ReadAllText("/sys/devices/system/cpu/possible"));
}
