using System.Runtime.InteropServices;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>
/// One eBPF instruction, struct bpf_insn (include/uapi/linux/bpf.h):
/// <code>
///  0       8    12   16              32                              64
/// +--------+----+----+---------------+-------------------------------+
/// | opcode |dst |src |  offset (s16) |          immediate (s32)      |
/// +--------+----+----+---------------+-------------------------------+
/// </code>
/// dst_reg is the low nibble of the second byte on little-endian machines.
/// </summary>
[StructLayout(LayoutKind.Sequential, Size = 8)]
public readonly struct BpfInsn(byte opcode, byte dst, byte src, short offset, int imm) : IEquatable<BpfInsn>
{
    /// <summary>The opcode: class | size/op | mode/source.</summary>
    public readonly byte Opcode = opcode;

    /// <summary>dst_reg (low nibble) and src_reg (high nibble).</summary>
    public readonly byte Registers = (byte)((dst & 0x0f) | ((src & 0x0f) << 4));

    /// <summary>The signed 16-bit offset (memory displacement or jump distance in instructions).</summary>
    public readonly short Offset = offset;

    /// <summary>The signed 32-bit immediate.</summary>
    public readonly int Imm = imm;

    /// <summary>The destination register.</summary>
    public byte Dst => (byte)(Registers & 0x0f);

    /// <summary>The source register.</summary>
    public byte Src => (byte)(Registers >> 4);

    /// <inheritdoc/>
    public bool Equals(BpfInsn other) =>
        Opcode == other.Opcode && Registers == other.Registers && Offset == other.Offset && Imm == other.Imm;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BpfInsn other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Opcode, Registers, Offset, Imm);

    /// <inheritdoc/>
    public override string ToString() => $"{Opcode:x2} r{Dst} r{Src} off={Offset} imm={Imm}";

    /// <summary>Equality.</summary>
    public static bool operator ==(BpfInsn left, BpfInsn right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(BpfInsn left, BpfInsn right) => !left.Equals(right);
}

/// <summary>Opcode parts (include/uapi/linux/bpf_common.h and bpf.h).</summary>
public static class BpfOp
{
#pragma warning disable CS1591 // the names are the kernel's
    // Instruction classes.
    public const byte LD = 0x00;
    public const byte LDX = 0x01;
    public const byte ST = 0x02;
    public const byte STX = 0x03;
    public const byte ALU = 0x04;
    public const byte JMP = 0x05;
    public const byte JMP32 = 0x06;
    public const byte ALU64 = 0x07;

    // Sizes.
    public const byte W = 0x00;
    public const byte H = 0x08;
    public const byte B = 0x10;
    public const byte DW = 0x18;

    // Modes.
    public const byte IMM = 0x00;
    public const byte MEM = 0x60;

    // Sources.
    public const byte K = 0x00;
    public const byte X = 0x08;

    // ALU operations.
    public const byte ADD = 0x00;
    public const byte SUB = 0x10;
    public const byte OR = 0x40;
    public const byte AND = 0x50;
    public const byte LSH = 0x60;
    public const byte RSH = 0x70;
    public const byte MOV = 0xb0;

    // Jump operations.
    public const byte JA = 0x00;
    public const byte JEQ = 0x10;
    public const byte JGT = 0x20;
    public const byte JGE = 0x30;
    public const byte JNE = 0x50;
    public const byte JLT = 0xa0;
    public const byte CALL = 0x80;
    public const byte EXIT = 0x90;

    /// <summary>src_reg of a 64-bit immediate load whose imm is a map fd the kernel replaces with the map.</summary>
    public const byte PSEUDO_MAP_FD = 1;

    // Helper function ids (enum bpf_func_id).
    public const int FuncMapLookupElem = 1;
    public const int FuncRedirectMap = 51;
#pragma warning restore CS1591
}
