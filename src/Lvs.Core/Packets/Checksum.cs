using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lvs.Core.Packets;

/// <summary>
/// The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
/// </summary>
/// <remarks>
/// A full checksum is the ones' complement of the ones' complement sum of 16-bit words.
/// When one 16-bit field m changes to m', RFC 1624 eqn. 3 gives the new checksum
/// without touching the rest of the packet: HC' = ~(~HC + ~m + m').
///
/// Frames captured on veth usually carry a *partial* checksum (CHECKSUM_PARTIAL): the
/// transport checksum field holds only the folded, non-complemented pseudo-header sum and
/// the sender's NIC (here: the kernel, told by virtio_net_hdr NEEDS_CSUM) completes it over
/// the payload. For those, a change to a pseudo-header field updates the field as a plain
/// sum (no complement), and a change to a field inside the transport header (the ports)
/// needs no update at all: it is covered when the kernel completes the sum.
/// </remarks>
public static class Checksum
{
    /// <summary>Adds the 16-bit big-endian words of <paramref name="data"/> to <paramref name="sum"/> (unfolded).</summary>
    public static ulong Add(ReadOnlySpan<byte> data, ulong sum = 0)
    {
        // Sum 32-bit big-endian words into a 64-bit accumulator: carries are folded at the end.
        int i = 0;
        ref byte start = ref MemoryMarshal.GetReference(data);
        for (; i + 8 <= data.Length; i += 8)
        {
            ulong v = BinaryPrimitives.ReverseEndianness(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i)));
            sum += (v >> 32) + (v & 0xFFFF_FFFF);
        }

        for (; i + 2 <= data.Length; i += 2)
        {
            sum += (uint)((Unsafe.Add(ref start, i) << 8) | Unsafe.Add(ref start, i + 1));
        }

        if (i < data.Length)
        {
            sum += (uint)(Unsafe.Add(ref start, i) << 8);
        }

        return sum;
    }

    /// <summary>Folds a 64-bit sum to 16 bits with end-around carry (not complemented).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Fold(ulong sum)
    {
        sum = (sum >> 32) + (sum & 0xFFFF_FFFF);
        sum = (sum >> 32) + (sum & 0xFFFF_FFFF);
        sum = (sum >> 16) + (sum & 0xFFFF);
        sum = (sum >> 16) + (sum & 0xFFFF);
        return (ushort)sum;
    }

    /// <summary>The Internet checksum of <paramref name="data"/>: complemented, folded sum.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data, ulong initial = 0) => (ushort)~Fold(Add(data, initial));

    /// <summary>The IPv4 pseudo-header sum for a transport segment (unfolded).</summary>
    public static ulong PseudoHeader(uint source, uint destination, byte protocol, int length) =>
        (ulong)(source >> 16) + (source & 0xFFFF) + (destination >> 16) + (destination & 0xFFFF) + protocol + (uint)length;

    /// <summary>The full TCP/UDP checksum of a segment (checksum field must hold zero or be skipped by the caller).</summary>
    public static ushort Transport(uint source, uint destination, byte protocol, ReadOnlySpan<byte> segment) =>
        Compute(segment, PseudoHeader(source, destination, protocol, segment.Length));

    /// <summary>RFC 1624 eqn. 3 for a 16-bit field change in a complete checksum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Update(ushort checksum, ushort oldValue, ushort newValue)
    {
        uint sum = (uint)(ushort)~checksum + (ushort)~oldValue + newValue;
        sum = (sum >> 16) + (sum & 0xFFFF);
        sum += sum >> 16;
        return (ushort)~sum;
    }

    /// <summary>RFC 1624 eqn. 3 for a 32-bit field (e.g. an IPv4 address) change in a complete checksum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort Update(ushort checksum, uint oldValue, uint newValue)
    {
        ulong sum = (ulong)(ushort)~checksum
                    + (ushort)~(oldValue >> 16) + (ushort)~(oldValue & 0xFFFF)
                    + (newValue >> 16) + (newValue & 0xFFFF);
        return (ushort)~Fold(sum);
    }

    /// <summary>
    /// Updates a partial (pseudo-header only, non-complemented) checksum for a 32-bit
    /// pseudo-header field change: the field is a plain folded sum, so it moves by new - old.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort UpdatePartial(ushort partial, uint oldValue, uint newValue)
    {
        ulong sum = (ulong)partial
                    + (ushort)~(oldValue >> 16) + (ushort)~(oldValue & 0xFFFF)
                    + (newValue >> 16) + (newValue & 0xFFFF);
        return Fold(sum);
    }
}
