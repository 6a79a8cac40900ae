using System.Buffers.Binary;
using Lvs.Linux.PacketIO.Fanout;

namespace Lvs.Linux.Tests.PacketIO.Fanout;

/// <summary>
/// Runs a classic BPF program over an Ethernet frame as the kernel runs a fanout program on a
/// received skb: skb->data at the network header, SKF_NET_OFF loads relative to it, SKF_AD_PROTOCOL
/// the EtherType, and a load past the end ends the program with 0. Only the instructions
/// <see cref="FanoutProgram"/> may emit are known; any other throws, so the tests notice.
/// </summary>
internal static class CbpfInterpreter
{
    private const int EthLength = 14;

    public static uint Run(ReadOnlySpan<CbpfInstruction> program, ReadOnlySpan<byte> frame)
    {
        ReadOnlySpan<byte> net = frame[EthLength..];
        ushort protocol = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        Span<uint> mem = stackalloc uint[Cbpf.MemWords];
        uint a = 0;
        uint x = 0;
        for (int pc = 0; pc < program.Length; pc++)
        {
            CbpfInstruction i = program[pc];
            switch (i.Code)
            {
                case Cbpf.LD | Cbpf.IMM:
                    a = i.K;
                    break;
                case Cbpf.LD | Cbpf.W | Cbpf.MEM:
                    a = mem[(int)i.K];
                    break;
                case Cbpf.LDX | Cbpf.W | Cbpf.MEM:
                    x = mem[(int)i.K];
                    break;
                case Cbpf.ST:
                    mem[(int)i.K] = a;
                    break;
                case Cbpf.LD | Cbpf.W | Cbpf.ABS when (int)i.K == Cbpf.AncillaryOffset + Cbpf.AncillaryProtocol:
                    a = protocol;
                    break;
                case Cbpf.LD | Cbpf.W | Cbpf.ABS or Cbpf.LD | Cbpf.H | Cbpf.ABS or Cbpf.LD | Cbpf.B | Cbpf.ABS:
                case Cbpf.LD | Cbpf.W | Cbpf.IND or Cbpf.LD | Cbpf.H | Cbpf.IND or Cbpf.LD | Cbpf.B | Cbpf.IND:
                    int offset = (i.Code & 0xE0) == Cbpf.IND ? (int)(x + i.K) : (int)i.K;
                    int size = (i.Code & 0x18) switch { Cbpf.W => 4, Cbpf.H => 2, _ => 1 };
                    if (!TryLoad(net, offset, size, out a))
                    {
                        return 0;
                    }

                    break;
                case Cbpf.ALU | Cbpf.AND | Cbpf.K:
                    a &= i.K;
                    break;
                case Cbpf.ALU | Cbpf.LSH | Cbpf.K:
                    a <<= (int)i.K;
                    break;
                case Cbpf.ALU | Cbpf.RSH | Cbpf.K:
                    a >>= (int)i.K;
                    break;
                case Cbpf.ALU | Cbpf.MUL | Cbpf.K:
                    a = unchecked(a * i.K);
                    break;
                case Cbpf.ALU | Cbpf.XOR | Cbpf.X:
                    a ^= x;
                    break;
                case Cbpf.MISC | Cbpf.TAX:
                    x = a;
                    break;
                case Cbpf.JMP | Cbpf.JA:
                    pc += (int)i.K;
                    break;
                case Cbpf.JMP | Cbpf.JEQ | Cbpf.K:
                    pc += a == i.K ? i.Jt : i.Jf;
                    break;
                case Cbpf.JMP | Cbpf.JSET | Cbpf.K:
                    pc += (a & i.K) != 0 ? i.Jt : i.Jf;
                    break;
                case Cbpf.RET | Cbpf.K:
                    return i.K;
                case Cbpf.RET | Cbpf.RetA:
                    return a;
                default:
                    throw new NotSupportedException($"instruction {pc}: {i}");
            }
        }

        throw new InvalidOperationException("the program ran off its end");
    }

    private static bool TryLoad(ReadOnlySpan<byte> net, int offset, int size, out uint value)
    {
        value = 0;
        if (offset >= 0 || offset < Cbpf.NetOffset)
        {
            // FanoutProgram only reads relative to the network header.
            throw new NotSupportedException($"load at {offset}");
        }

        int at = offset - Cbpf.NetOffset;
        if (at + size > net.Length)
        {
            return false;
        }

        value = size switch
        {
            4 => BinaryPrimitives.ReadUInt32BigEndian(net[at..]),
            2 => BinaryPrimitives.ReadUInt16BigEndian(net[at..]),
            _ => net[at],
        };
        return true;
    }
}
