using System.Net;
using System.Net.Sockets;
using Lvs.Linux.Steering;

namespace Lvs.Linux.PacketIO.Fanout;

/// <summary>
/// The classic BPF program of lvsd's PACKET_FANOUT_CBPF group: it returns
/// <see cref="FanoutHash.Hash"/> of the CLIENT's address and port, and the kernel hands the frame
/// to socket (result % sockets), i.e. to worker <see cref="FanoutHash.WorkerOf"/>. A frame whose
/// source is a NAT real server (address, and port unless the entry's port is 0) is a reply: its
/// client is the destination. Every other frame (to a VIP, from a client) has the client as source.
/// </summary>
/// <remarks>
/// IPv6 addresses are compared in full, hashed by their last 32 bits. Ports are read for TCP, UDP
/// and SCTP only, and not from IPv4 fragments after the first or past IPv6 extension headers: such
/// frames hash with port 0 (as ICMP does), so they may reach another worker than their connection's,
/// which then drops them as it would any packet of an unknown connection. A load past the frame's
/// end makes the kernel end the program with 0 (worker 0). What of the client is hashed (masked
/// address, port or not) is the <see cref="FanoutKey"/> the program is built for.
/// </remarks>
public sealed record FanoutProgram(CbpfInstruction[] Instructions, bool RepliesSteered, FanoutKey Key)
{
    // Scratch memory: ports, then source and destination address words (IPv4 in the last word).
    private const uint SrcPort = 0;
    private const uint DstPort = 1;
    private const uint Src0 = 2;
    private const uint SrcLow = 5;
    private const uint Dst0 = 6;
    private const uint DstLow = 9;
    private const uint Tmp = 12;

    private const uint Net = unchecked((uint)Cbpf.NetOffset);

    /// <summary>
    /// Builds the program for the given NAT real servers. Beyond what fits in
    /// <see cref="Cbpf.MaxInstructions"/>, returns a program that hashes every frame by its source
    /// with <see cref="RepliesSteered"/> false: NAT replies then reach arbitrary workers.
    /// </summary>
    public static FanoutProgram Build(IEnumerable<SteeredEndpoint> natRealServers) => Build(natRealServers, FanoutKey.Connection);

    /// <summary>As <see cref="Build(IEnumerable{SteeredEndpoint})"/>, hashing the client as <paramref name="key"/> says.</summary>
    public static FanoutProgram Build(IEnumerable<SteeredEndpoint> natRealServers, FanoutKey key)
    {
        ArgumentNullException.ThrowIfNull(natRealServers);

        // A port-0 entry covers every port of its address: drop the address's other entries.
        var entries = natRealServers.Select(e => (e.Address, e.Port)).Distinct().ToList();
        var wildcard = entries.Where(e => e.Port == 0).Select(e => e.Address).ToHashSet();
        entries.RemoveAll(e => e.Port != 0 && wildcard.Contains(e.Address));
        entries.Sort((a, b) => (a.Address.ToString(), a.Port).CompareTo((b.Address.ToString(), b.Port)));

        CbpfInstruction[] program = Assemble(entries, key);
        return program.Length <= Cbpf.MaxInstructions
            ? new FanoutProgram(program, RepliesSteered: true, key)
            : new FanoutProgram(Assemble([], key), RepliesSteered: entries.Count == 0, key);
    }

    private static CbpfInstruction[] Assemble(List<(IPAddress Address, ushort Port)> entries, FanoutKey key)
    {
        var a = new CbpfAssembler();
        a.Emit(Cbpf.LD | Cbpf.IMM, 0);
        a.Emit(Cbpf.ST, SrcPort);
        a.Emit(Cbpf.ST, DstPort);
        a.Emit(Cbpf.LD | Cbpf.W | Cbpf.ABS, unchecked((uint)(Cbpf.AncillaryOffset + Cbpf.AncillaryProtocol)));
        a.Jump(Cbpf.JMP | Cbpf.JEQ | Cbpf.K, 0x0800, "v4", null);
        a.Jump(Cbpf.JMP | Cbpf.JEQ | Cbpf.K, 0x86DD, null, "other");
        a.Always("v6"); // past the IPv4 chain: maybe beyond a conditional jump's 255
        a.Label("other");
        a.Emit(Cbpf.RET | Cbpf.K, 0);

        // IPv4: addresses at 12 and 16, protocol at 9, ports after IHL*4 unless a later fragment.
        a.Label("v4");
        Store(a, Net + 12, SrcLow);
        Store(a, Net + 16, DstLow);
        a.Emit(Cbpf.LD | Cbpf.B | Cbpf.ABS, Net + 9);
        JumpIfPorts(a, "p4", "chain4");
        a.Label("p4");
        a.Emit(Cbpf.LD | Cbpf.H | Cbpf.ABS, Net + 6);
        a.Jump(Cbpf.JMP | Cbpf.JSET | Cbpf.K, 0x1FFF, "chain4", null);
        a.Emit(Cbpf.LD | Cbpf.B | Cbpf.ABS, Net + 0);
        a.Emit(Cbpf.ALU | Cbpf.AND | Cbpf.K, 0x0F);
        a.Emit(Cbpf.ALU | Cbpf.LSH | Cbpf.K, 2);
        a.Emit(Cbpf.MISC | Cbpf.TAX);
        a.Emit(Cbpf.LD | Cbpf.H | Cbpf.IND, Net + 0);
        a.Emit(Cbpf.ST, SrcPort);
        a.Emit(Cbpf.LD | Cbpf.H | Cbpf.IND, Net + 2);
        a.Emit(Cbpf.ST, DstPort);
        a.Label("chain4");
        int n = 0;
        foreach ((IPAddress address, ushort port) in entries.Where(e => e.Address.AddressFamily == AddressFamily.InterNetwork))
        {
            string skip = $"s{n++}";
            MatchWord(a, SrcLow, Word(address, 0), skip);
            MatchPort(a, port, skip);
            a.Always("reply");
            a.Label(skip);
        }

        a.Always("forward");

        // IPv6: addresses at 8 and 24, next header at 6, ports at 40 (no extension headers).
        a.Label("v6");
        for (uint w = 0; w < 4; w++)
        {
            Store(a, Net + 8 + (4 * w), Src0 + w);
            Store(a, Net + 24 + (4 * w), Dst0 + w);
        }

        a.Emit(Cbpf.LD | Cbpf.B | Cbpf.ABS, Net + 6);
        JumpIfPorts(a, "p6", "chain6");
        a.Label("p6");
        Store(a, Net + 40, SrcPort, Cbpf.H);
        Store(a, Net + 42, DstPort, Cbpf.H);
        a.Label("chain6");
        foreach ((IPAddress address, ushort port) in entries.Where(e => e.Address.AddressFamily == AddressFamily.InterNetworkV6))
        {
            string skip = $"s{n++}";
            for (int w = 0; w < 4; w++)
            {
                MatchWord(a, Src0 + (uint)w, Word(address, w), skip);
            }

            MatchPort(a, port, skip);
            a.Always("reply6");
            a.Label(skip);
        }

        a.Always("forward6");

        // The client: destination of a reply, source of everything else. X = port, A = address word.
        a.Label("reply");
        Client4(a, key, DstPort, DstLow);
        a.Label("forward");
        Client4(a, key, SrcPort, SrcLow);
        a.Label("reply6");
        Client6(a, key, DstPort, Dst0);
        a.Label("forward6");
        Client6(a, key, SrcPort, Src0);

        // FanoutHash.Hash: A = addr * C1; A ^= port; A *= C2; A ^= A >> 16.
        a.Label("hash");
        a.Emit(Cbpf.ALU | Cbpf.MUL | Cbpf.K, FanoutHash.AddressMultiplier);
        a.Emit(Cbpf.ALU | Cbpf.XOR | Cbpf.X);
        a.Emit(Cbpf.ALU | Cbpf.MUL | Cbpf.K, FanoutHash.MixMultiplier);
        a.Emit(Cbpf.ST, Tmp);
        a.Emit(Cbpf.ALU | Cbpf.RSH | Cbpf.K, 16);
        a.Emit(Cbpf.MISC | Cbpf.TAX);
        a.Emit(Cbpf.LD | Cbpf.W | Cbpf.MEM, Tmp);
        a.Emit(Cbpf.ALU | Cbpf.XOR | Cbpf.X);
        a.Emit(Cbpf.RET | Cbpf.RetA);
        return a.Assemble();
    }

    /// <summary>X = the port (or 0), A = the IPv4 address AND the key's mask; then to the hash.</summary>
    private static void Client4(CbpfAssembler a, FanoutKey key, uint portSlot, uint addressSlot)
    {
        Port(a, key, portSlot);
        a.Emit(Cbpf.LD | Cbpf.W | Cbpf.MEM, addressSlot);
        if (key.Mask4 != 0xFFFF_FFFF)
        {
            a.Emit(Cbpf.ALU | Cbpf.AND | Cbpf.K, key.Mask4);
        }

        a.Always("hash");
    }

    /// <summary>A = the four IPv6 words AND the key's prefix mask, XOR-folded; X = the port (or 0); then to the hash.</summary>
    private static void Client6(CbpfAssembler a, FanoutKey key, uint portSlot, uint firstWord)
    {
        a.Emit(Cbpf.LD | Cbpf.IMM, 0);
        a.Emit(Cbpf.ST, Tmp);
        for (int w = 0; w < 4; w++)
        {
            uint mask = key.Mask6Word(w);
            if (mask == 0)
            {
                continue;
            }

            a.Emit(Cbpf.LD | Cbpf.W | Cbpf.MEM, firstWord + (uint)w);
            if (mask != 0xFFFF_FFFF)
            {
                a.Emit(Cbpf.ALU | Cbpf.AND | Cbpf.K, mask);
            }

            a.Emit(Cbpf.MISC | Cbpf.TAX);
            a.Emit(Cbpf.LD | Cbpf.W | Cbpf.MEM, Tmp);
            a.Emit(Cbpf.ALU | Cbpf.XOR | Cbpf.X);
            a.Emit(Cbpf.ST, Tmp);
        }

        Port(a, key, portSlot);
        a.Emit(Cbpf.LD | Cbpf.W | Cbpf.MEM, Tmp);
        a.Always("hash");
    }

    private static void Port(CbpfAssembler a, FanoutKey key, uint portSlot)
    {
        if (key.Ports)
        {
            a.Emit(Cbpf.LD | Cbpf.W | Cbpf.MEM, portSlot);
        }
        else
        {
            a.Emit(Cbpf.LD | Cbpf.IMM, 0);
        }

        a.Emit(Cbpf.MISC | Cbpf.TAX);
    }

    private static void Store(CbpfAssembler a, uint offset, uint slot, ushort size = Cbpf.W)
    {
        a.Emit((ushort)(Cbpf.LD | size | Cbpf.ABS), offset);
        a.Emit(Cbpf.ST, slot);
    }

    /// <summary>TCP, UDP and SCTP carry ports in their first four bytes.</summary>
    private static void JumpIfPorts(CbpfAssembler a, string ports, string none)
    {
        a.Jump(Cbpf.JMP | Cbpf.JEQ | Cbpf.K, 6, ports, null);
        a.Jump(Cbpf.JMP | Cbpf.JEQ | Cbpf.K, 17, ports, null);
        a.Jump(Cbpf.JMP | Cbpf.JEQ | Cbpf.K, 132, ports, none);
    }

    private static void MatchWord(CbpfAssembler a, uint slot, uint value, string otherwise)
    {
        a.Emit(Cbpf.LD | Cbpf.W | Cbpf.MEM, slot);
        a.Jump(Cbpf.JMP | Cbpf.JEQ | Cbpf.K, value, null, otherwise);
    }

    private static void MatchPort(CbpfAssembler a, ushort port, string otherwise)
    {
        if (port != 0)
        {
            MatchWord(a, SrcPort, port, otherwise);
        }
    }

    /// <summary>Word <paramref name="index"/> of an IPv6 address, or the IPv4 address, as a big-endian load reads it.</summary>
    private static uint Word(IPAddress address, int index)
    {
        byte[] bytes = address.GetAddressBytes();
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(4 * index, 4));
    }
}
