using System.Runtime.InteropServices;

namespace Lvs.Linux.PacketIO.Fanout;

/// <summary>
/// One classic BPF instruction, laid out as struct sock_filter (include/uapi/linux/filter.h) so an
/// array of them is the program the kernel takes:
/// <code>
///  0               16      24      32                              64
/// +---------------+-------+-------+-------------------------------+
/// |     code      |  jt   |  jf   |               k               |
/// +---------------+-------+-------+-------------------------------+
/// </code>
/// Jump offsets count instructions after the next one.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct CbpfInstruction(ushort Code, byte Jt, byte Jf, uint K)
{
    public override string ToString() => $"{{ 0x{Code:x2}, {Jt}, {Jf}, 0x{K:x8} }}";
}

/// <summary>Opcode parts and special offsets of classic BPF (include/uapi/linux/bpf_common.h, filter.h).</summary>
public static class Cbpf
{
    // Instruction classes.
    public const ushort LD = 0x00;
    public const ushort LDX = 0x01;
    public const ushort ST = 0x02;
    public const ushort STX = 0x03;
    public const ushort ALU = 0x04;
    public const ushort JMP = 0x05;
    public const ushort RET = 0x06;
    public const ushort MISC = 0x07;

    // Load sizes.
    public const ushort W = 0x00;
    public const ushort H = 0x08;
    public const ushort B = 0x10;

    // Load modes.
    public const ushort IMM = 0x00;
    public const ushort ABS = 0x20;
    public const ushort IND = 0x40;
    public const ushort MEM = 0x60;

    // ALU operations.
    public const ushort ADD = 0x00;
    public const ushort MUL = 0x20;
    public const ushort AND = 0x50;
    public const ushort LSH = 0x60;
    public const ushort RSH = 0x70;
    public const ushort XOR = 0xa0;

    // Jumps.
    public const ushort JA = 0x00;
    public const ushort JEQ = 0x10;
    public const ushort JSET = 0x40;

    // Operand source: the constant k or the index register X.
    public const ushort K = 0x00;
    public const ushort X = 0x08;

    // RET's operand: the accumulator.
    public const ushort RetA = 0x10;

    // MISC: A to X.
    public const ushort TAX = 0x00;

    /// <summary>BPF_MEMWORDS: scratch memory slots M[0..15].</summary>
    public const int MemWords = 16;

    /// <summary>BPF_MAXINSNS: the longest program the kernel accepts.</summary>
    public const int MaxInstructions = 4096;

    /// <summary>SKF_AD_OFF: loads at this offset and above read skb metadata, not packet bytes.</summary>
    public const int AncillaryOffset = -0x1000;

    /// <summary>SKF_AD_PROTOCOL: skb->protocol (the EtherType), in host order.</summary>
    public const int AncillaryProtocol = 0;

    /// <summary>SKF_NET_OFF: loads at SKF_NET_OFF + n read byte n of the network header.</summary>
    public const int NetOffset = -0x100000;
}
