using static Lvs.Linux.PacketIO.Xdp.BpfOp;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>
/// A small eBPF assembler: one method per instruction form, jumps to named labels resolved by
/// <see cref="Build"/>. Registers are 0..10 (r10 the read-only frame pointer). Jumps are 16-bit
/// instruction offsets relative to the next instruction, as the kernel reads them.
/// </summary>
public sealed class BpfAssembler
{
    /// <summary>The frame pointer register.</summary>
    public const byte Fp = 10;

    private readonly List<BpfInsn> _insns = [];
    private readonly Dictionary<string, int> _labels = new(StringComparer.Ordinal);
    private readonly List<(int At, string Label)> _fixups = [];
    private int _unique;

    /// <summary>Instructions emitted so far (a 64-bit load counts two).</summary>
    public int Count => _insns.Count;

    /// <summary>A label name not used before, for code emitted more than once.</summary>
    public string NewLabel(string hint) => $"{hint}#{_unique++}";

    /// <summary>Places <paramref name="label"/> at the next instruction.</summary>
    public BpfAssembler Label(string label)
    {
        if (!_labels.TryAdd(label, _insns.Count))
        {
            throw new InvalidOperationException($"label '{label}' defined twice");
        }

        return this;
    }

    /// <summary>dst = imm (64-bit).</summary>
    public BpfAssembler MovImm(byte dst, int imm) => Emit(ALU64 | MOV | K, dst, 0, 0, imm);

    /// <summary>dst = src (64-bit).</summary>
    public BpfAssembler Mov(byte dst, byte src) => Emit(ALU64 | MOV | X, dst, src, 0, 0);

    /// <summary>dst op= imm (64-bit), op one of <see cref="BpfOp"/>'s ALU operations.</summary>
    public BpfAssembler AluImm(byte op, byte dst, int imm) => Emit((byte)(ALU64 | op | K), dst, 0, 0, imm);

    /// <summary>dst op= src (64-bit).</summary>
    public BpfAssembler Alu(byte op, byte dst, byte src) => Emit((byte)(ALU64 | op | X), dst, src, 0, 0);

    /// <summary>dst = *(size *)(src + off).</summary>
    public BpfAssembler Load(byte size, byte dst, byte src, short off) => Emit((byte)(LDX | MEM | size), dst, src, off, 0);

    /// <summary>*(size *)(dst + off) = src.</summary>
    public BpfAssembler Store(byte size, byte dst, short off, byte src) => Emit((byte)(STX | MEM | size), dst, src, off, 0);

    /// <summary>*(size *)(dst + off) = imm.</summary>
    public BpfAssembler StoreImm(byte size, byte dst, short off, int imm) => Emit((byte)(ST | MEM | size), dst, 0, off, imm);

    /// <summary>dst = the map whose file descriptor is <paramref name="mapFd"/> (a two-slot ld_imm64).</summary>
    public BpfAssembler LoadMapFd(byte dst, int mapFd)
    {
        Emit(LD | DW | IMM, dst, PSEUDO_MAP_FD, 0, mapFd);
        return Emit(0, 0, 0, 0, 0);
    }

    /// <summary>if (dst op imm) goto label; op one of <see cref="BpfOp"/>'s jump operations.</summary>
    public BpfAssembler JumpImm(byte op, byte dst, int imm, string label)
    {
        _fixups.Add((_insns.Count, label));
        return Emit((byte)(JMP | op | K), dst, 0, 0, imm);
    }

    /// <summary>if ((u32)dst op (u32)imm) goto label: a JMP32 compare of the low 32 bits, no sign extension of imm.</summary>
    public BpfAssembler JumpImm32(byte op, byte dst, int imm, string label)
    {
        _fixups.Add((_insns.Count, label));
        return Emit((byte)(JMP32 | op | K), dst, 0, 0, imm);
    }

    /// <summary>if (dst op src) goto label.</summary>
    public BpfAssembler Jump(byte op, byte dst, byte src, string label)
    {
        _fixups.Add((_insns.Count, label));
        return Emit((byte)(JMP | op | X), dst, src, 0, 0);
    }

    /// <summary>goto label.</summary>
    public BpfAssembler Goto(string label) => JumpImm(JA, 0, 0, label);

    /// <summary>Calls helper <paramref name="func"/> (r1..r5 arguments, r0 result, r1..r5 clobbered).</summary>
    public BpfAssembler Call(int func) => Emit(JMP | CALL, 0, 0, 0, func);

    /// <summary>Returns r0.</summary>
    public BpfAssembler Exit() => Emit(JMP | EXIT, 0, 0, 0, 0);

    /// <summary>Resolves the labels and returns the program. Throws on an unknown label or a jump out of range.</summary>
    public BpfInsn[] Build()
    {
        var result = _insns.ToArray();
        foreach (var (at, label) in _fixups)
        {
            if (!_labels.TryGetValue(label, out int target))
            {
                throw new InvalidOperationException($"jump to undefined label '{label}'");
            }

            int distance = target - (at + 1);
            if (distance is < short.MinValue or > short.MaxValue)
            {
                throw new InvalidOperationException($"jump to '{label}' out of range ({distance})");
            }

            var insn = result[at];
            result[at] = new BpfInsn(insn.Opcode, insn.Dst, insn.Src, (short)distance, insn.Imm);
        }

        return result;
    }

    private BpfAssembler Emit(int opcode, byte dst, byte src, short off, int imm)
    {
        if (dst > 10 || src > 10)
        {
            throw new ArgumentOutOfRangeException(nameof(dst), "eBPF has registers r0..r10");
        }

        _insns.Add(new BpfInsn((byte)opcode, dst, src, off, imm));
        return this;
    }
}
