using System.Runtime.CompilerServices;
namespace Lvs.Linux.PacketIO.Fanout;

/// <summary>
/// The hash that spreads connections over workers: a function of the client's address and port
/// only, which both directions of a connection carry (as source on the way in, as destination on
/// a NAT reply), so both reach the same worker. The kernel computes the same value in the classic
/// BPF program of the AF_PACKET fanout group (<see cref="FanoutProgram"/>); the two must stay equal,
/// and tests hold them so. The sync daemon of a backup uses it to install a connection on the
/// worker its packets will reach after a failover.
/// </summary>
public static class FanoutHash
{
    /// <summary>Golden-ratio multiplier (Knuth), spreads the address bits.</summary>
    public const uint AddressMultiplier = 0x9E3779B1;

    /// <summary>murmur3's fmix32 multiplier, mixes the port into every bit.</summary>
    public const uint MixMultiplier = 0x85EBCA6B;

    /// <summary>
    /// The 32-bit hash of a client; <paramref name="addressLow32"/> is the client's address word
    /// (<see cref="FanoutKey.AddressWord"/>: an IPv4 address in host order, or the IPv6 words folded).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Hash(uint addressLow32, ushort port)
    {
        // Written as the cBPF program computes it: A = addr * C1; A ^= port; A *= C2; A ^= A >> 16.
        uint a = unchecked(addressLow32 * AddressMultiplier);
        a ^= port;
        a = unchecked(a * MixMultiplier);
        return a ^ (a >> 16);
    }

    /// <summary>The worker the kernel hands the frames of this client (address bytes, 4 or 16, network order) to under <paramref name="key"/>.</summary>
    public static int WorkerOf(ReadOnlySpan<byte> address, ushort port, FanoutKey key, int workers) =>
        WorkerOf(key.AddressWord(address), key.PortOf(port), workers);

    /// <summary>The worker (0 .. <paramref name="workers"/>-1) the kernel hands the client's frames to.</summary>
    public static int WorkerOf(uint addressLow32, ushort port, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);

        // packet_rcv_fanout: fanout_demux_bpf returns bpf_prog_run(...) % num (unsigned).
        return (int)(Hash(addressLow32, port) % (uint)workers);
    }
}
