using Lvs.Linux.Interop;
using static Lvs.Linux.Interop.Packet;

namespace Lvs.Linux.PacketIO.Fanout;

/// <summary>
/// Joins packet rings of one interface into a PACKET_FANOUT_CBPF group, so the kernel hands each
/// frame to exactly one of them, chosen by a <see cref="FanoutProgram"/>: socket i of the group
/// (in join order) receives the frames whose program result % count is i.
/// </summary>
/// <remarks>
/// The group ignores outgoing frames (PACKET_FANOUT_FLAG_IGNORE_OUTGOING), as each ring does on its
/// own (PACKET_IGNORE_OUTGOING), so a worker never receives what it or another worker sent. Until a
/// program is set, every frame goes to the first socket.
/// </remarks>
public static unsafe class PacketFanout
{
    private const int Mode = PACKET_FANOUT_CBPF | PACKET_FANOUT_FLAG_IGNORE_OUTGOING;

    /// <summary>
    /// Makes a new group with a kernel-chosen id unique in the namespace, <paramref name="first"/>
    /// its socket 0; returns the id for <see cref="Join"/>.
    /// </summary>
    public static ushort Create(PacketRing first)
    {
        ArgumentNullException.ThrowIfNull(first);
        PacketSocket.SetInt(first.Fd, SOL_PACKET, PACKET_FANOUT, (Mode | PACKET_FANOUT_FLAG_UNIQUEID) << 16, "PACKET_FANOUT");
        int value = 0;
        uint length = sizeof(int);
        if (Libc.GetSockOpt(first.Fd, SOL_PACKET, PACKET_FANOUT, &value, &length) != 0)
        {
            throw LinuxException.FromLast("getsockopt(PACKET_FANOUT)");
        }

        return (ushort)(value & 0xFFFF);
    }

    /// <summary>Adds <paramref name="ring"/> to group <paramref name="groupId"/> as its next socket.</summary>
    public static void Join(PacketRing ring, ushort groupId)
    {
        ArgumentNullException.ThrowIfNull(ring);
        PacketSocket.SetInt(ring.Fd, SOL_PACKET, PACKET_FANOUT, groupId | (Mode << 16), "PACKET_FANOUT");
    }

    /// <summary>
    /// Sets (or replaces, atomically for the group) the program choosing the socket, through any
    /// member of the group. Throws <see cref="LinuxException"/> (EINVAL) for a program the kernel's
    /// classic BPF checker refuses.
    /// </summary>
    public static void SetProgram(PacketRing member, ReadOnlySpan<CbpfInstruction> program)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (program.IsEmpty || program.Length > Cbpf.MaxInstructions)
        {
            throw new ArgumentException($"a classic BPF program has 1 to {Cbpf.MaxInstructions} instructions, not {program.Length}", nameof(program));
        }

        fixed (CbpfInstruction* code = program)
        {
            var fprog = new SockFprog { Length = (ushort)program.Length, Filter = code };
            if (Libc.SetSockOpt(member.Fd, SOL_PACKET, PACKET_FANOUT_DATA, &fprog, (uint)sizeof(SockFprog)) != 0)
            {
                throw LinuxException.FromLast("setsockopt(PACKET_FANOUT_DATA)");
            }
        }
    }

    /// <summary>
    /// Pins the calling thread to <paramref name="cpu"/>; returns false (and changes nothing) when
    /// the CPU is not available to this process, e.g. outside its cgroup's cpuset.
    /// </summary>
    public static bool PinCurrentThread(int cpu)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cpu);
        if (cpu >= 64)
        {
            return false;
        }

        ulong mask = 1UL << cpu;
        return SchedSetAffinity(0, sizeof(ulong), &mask) == 0;
    }
}
