namespace Lvs.Linux.PacketIO.Fanout;

/// <summary>
/// Builds a classic BPF program with named jump targets, resolved at the end. Conditional jumps
/// reach at most 255 instructions ahead; longer distances go through BPF_JA (32-bit offset).
/// </summary>
internal sealed class CbpfAssembler
{
    private readonly List<(CbpfInstruction Insn, string? True, string? False)> _code = [];
    private readonly Dictionary<string, int> _labels = [];

    public int Count => _code.Count;

    public void Emit(ushort code, uint k = 0) => _code.Add((new CbpfInstruction(code, 0, 0, k), null, null));

    /// <summary>A conditional jump; a null target means "the next instruction".</summary>
    public void Jump(ushort code, uint k, string? whenTrue, string? whenFalse) =>
        _code.Add((new CbpfInstruction(code, 0, 0, k), whenTrue, whenFalse));

    /// <summary>BPF_JA: an unconditional jump of any length.</summary>
    public void Always(string target) => _code.Add((new CbpfInstruction(Cbpf.JMP | Cbpf.JA, 0, 0, 0), target, null));

    public void Label(string name)
    {
        if (!_labels.TryAdd(name, _code.Count))
        {
            throw new InvalidOperationException($"label '{name}' defined twice");
        }
    }

    public CbpfInstruction[] Assemble()
    {
        var program = new CbpfInstruction[_code.Count];
        for (int i = 0; i < _code.Count; i++)
        {
            (CbpfInstruction insn, string? whenTrue, string? whenFalse) = _code[i];
            if (insn.Code == (Cbpf.JMP | Cbpf.JA))
            {
                program[i] = insn with { K = (uint)Distance(i, whenTrue!) };
            }
            else if ((insn.Code & 0x07) == Cbpf.JMP)
            {
                program[i] = insn with { Jt = ShortDistance(i, whenTrue), Jf = ShortDistance(i, whenFalse) };
            }
            else
            {
                program[i] = insn;
            }
        }

        return program;
    }

    private int Distance(int from, string label)
    {
        if (!_labels.TryGetValue(label, out int target))
        {
            throw new InvalidOperationException($"label '{label}' not defined");
        }

        // Classic BPF only jumps forward.
        int distance = target - from - 1;
        if (distance < 0)
        {
            throw new InvalidOperationException($"label '{label}' is behind instruction {from}");
        }

        return distance;
    }

    private byte ShortDistance(int from, string? label)
    {
        if (label is null)
        {
            return 0;
        }

        int distance = Distance(from, label);
        if (distance > byte.MaxValue)
        {
            throw new InvalidOperationException($"label '{label}' is {distance} instructions from {from}; use Always");
        }

        return (byte)distance;
    }
}
