using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace Lvs.Linux.PacketIO.Fanout;

/// <summary>
/// What of the client the fanout hash reads. Without persistent services: the whole address and
/// the port, so one client's connections spread over every worker. With persistent services
/// (ipvsadm -p, port-0 services), a client network's connections must all reach the worker that
/// holds its persistence template: then the hash reads only the address masked by the widest
/// persistence mask in use (IPv4) or the shortest prefix (IPv6), and no port.
/// </summary>
/// <param name="Ports">Whether the client's port is part of the hash.</param>
/// <param name="Mask4">IPv4 clients are hashed by address AND this mask (host order).</param>
/// <param name="Prefix6">IPv6 clients are hashed by the first this many bits (0..128).</param>
public sealed record FanoutKey(bool Ports, uint Mask4, int Prefix6)
{
    /// <summary>Every connection on its own: address and port.</summary>
    public static FanoutKey Connection { get; } = new(true, 0xFFFF_FFFF, 128);

    /// <summary>Word <paramref name="index"/> (0..3) of the IPv6 mask, as a big-endian load reads it.</summary>
    public uint Mask6Word(int index)
    {
        int bits = Math.Clamp(Prefix6 - (32 * index), 0, 32);
        return bits == 0 ? 0 : 0xFFFF_FFFFu << (32 - bits);
    }

    /// <summary>
    /// The 32-bit address word the hash reads: an IPv4 address (4 bytes, network order) AND
    /// <see cref="Mask4"/>, or the four masked words of an IPv6 address XOR-folded, so clients that
    /// differ only in their upper bits still spread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint AddressWord(ReadOnlySpan<byte> address)
    {
        if (address.Length == 4)
        {
            return BinaryPrimitives.ReadUInt32BigEndian(address) & Mask4;
        }

        uint word = 0;
        for (int w = 0; w < 4; w++)
        {
            word ^= BinaryPrimitives.ReadUInt32BigEndian(address.Slice(4 * w, 4)) & Mask6Word(w);
        }

        return word;
    }

    /// <summary>The port the hash reads: the client's, or 0 when <see cref="Ports"/> is off.</summary>
    public ushort PortOf(ushort port) => Ports ? port : (ushort)0;

    /// <summary>
    /// The key for the persistent services in use, given as IPv4 masks (host order) and IPv6
    /// prefix lengths; <see cref="Connection"/> when there are none.
    /// </summary>
    public static FanoutKey For(IEnumerable<uint> persistentMasks4, IEnumerable<int> persistentPrefixes6)
    {
        ArgumentNullException.ThrowIfNull(persistentMasks4);
        ArgumentNullException.ThrowIfNull(persistentPrefixes6);
        bool any = false;
        uint mask4 = 0xFFFF_FFFF;
        int prefix6 = 128;
        foreach (uint m in persistentMasks4)
        {
            any = true;
            mask4 &= m;
        }

        foreach (int p in persistentPrefixes6)
        {
            any = true;
            prefix6 = Math.Min(prefix6, Math.Clamp(p, 0, 128));
        }

        return any ? new FanoutKey(false, mask4, prefix6) : Connection;
    }
}
