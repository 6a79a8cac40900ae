using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Lvs.Linux.PacketIO.Xdp;
using static Lvs.Linux.PacketIO.Xdp.BpfOp;

namespace Lvs.Linux.Tests.PacketIO;

/// <summary>The eBPF encoder and assembler, checked against encodings the kernel documents (no root).</summary>
public class XdpAssemblerTests
{
    [Fact]
    public void BpfInsn_Layout_IsEightBytesRegistersInOneByte()
    {
        Assert.Equal(8, Marshal.SizeOf<BpfInsn>());
        var insn = new BpfInsn(0xbf, dst: 6, src: 1, offset: -2, imm: 0x01020304);
        var bytes = MemoryMarshal.AsBytes(new[] { insn }.AsSpan()).ToArray();

        // mov r6, r1 is bf 16 in every bpftool dump: dst in the low nibble.
        Assert.Equal(new byte[] { 0xbf, 0x16, 0xfe, 0xff, 0x04, 0x03, 0x02, 0x01 }, bytes);
    }

    [Fact]
    public void Assembler_KnownInstructions_MatchKernelEncodings()
    {
        var code = new BpfAssembler()
            .MovImm(0, 2)                  // b7 00 .. 02: r0 = 2
            .Mov(6, 1)                     // bf 16: r6 = r1
            .Load(W, 2, 1, 4)              // 61 12 04 00: r2 = *(u32 *)(r1 + 4)
            .Store(H, BpfAssembler.Fp, -8, 4) // 6b 4a f8 ff: *(u16 *)(r10 - 8) = r4
            .StoreImm(DW, BpfAssembler.Fp, -16, 0) // 7a 0a f0 ff
            .AluImm(ADD, 2, 14)            // 07 02 .. 0e
            .Call(FuncRedirectMap)         // 85 00 .. 33
            .Exit()                        // 95
            .Build();

        Assert.Equal(0xb7, code[0].Opcode);
        Assert.Equal(2, code[0].Imm);
        Assert.Equal(0xbf, code[1].Opcode);
        Assert.Equal(0x16, code[1].Registers);
        Assert.Equal((0x61, (byte)0x12, (short)4), (code[2].Opcode, code[2].Registers, code[2].Offset));
        Assert.Equal((0x6b, (byte)0x4a, (short)-8), (code[3].Opcode, code[3].Registers, code[3].Offset));
        Assert.Equal((0x7a, (byte)0x0a, (short)-16), (code[4].Opcode, code[4].Registers, code[4].Offset));
        Assert.Equal((0x07, 14), (code[5].Opcode, code[5].Imm));
        Assert.Equal((0x85, 51), (code[6].Opcode, code[6].Imm));
        Assert.Equal(0x95, code[7].Opcode);
    }

    [Fact]
    public void Build_ForwardAndBackwardLabels_OffsetsRelativeToNextInstruction()
    {
        var code = new BpfAssembler()
            .Label("top")
            .JumpImm(JEQ, 1, 0, "out")     // 0 → 3: offset 2
            .LoadMapFd(1, 7)               // 1, 2 (two slots)
            .Label("out")
            .Goto("top")                   // 3 → 0: offset -4
            .Build();

        Assert.Equal(0x15, code[0].Opcode);
        Assert.Equal(2, code[0].Offset);
        Assert.Equal((0x18, (byte)0x11, 7), (code[1].Opcode, code[1].Registers, code[1].Imm));
        Assert.Equal(default, code[2]);
        Assert.Equal(0x05, code[3].Opcode);
        Assert.Equal(-4, code[3].Offset);
    }

    [Fact]
    public void Build_UndefinedLabel_Throws()
    {
        var asm = new BpfAssembler().Goto("nowhere");
        var ex = Assert.Throws<InvalidOperationException>(() => asm.Build());
        Assert.Contains("nowhere", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_DefinedTwice_Throws() =>
        Assert.Throws<InvalidOperationException>(() => new BpfAssembler().Label("a").Label("a"));

    [Fact]
    public void Emit_RedirectProgram_EndsInExitAndAllJumpsLand()
    {
        var code = XdpRedirectProgram.Emit(3, 4, 5, 6, 7);
        Assert.Equal(0x95, code[^1].Opcode);
        for (int i = 0; i < code.Length; i++)
        {
            byte cls = (byte)(code[i].Opcode & 0x07);
            byte op = (byte)(code[i].Opcode & 0xf0);
            if (cls == JMP && op is not (CALL or EXIT))
            {
                int target = i + 1 + code[i].Offset;
                Assert.InRange(target, 0, code.Length - 1);
            }
        }
    }

    [Fact]
    public void FlowKey_Ipv4AndIpv6_WireOrderWithFamily()
    {
        var v4 = XdpFlowKey.Create(IPAddress.Parse("192.0.2.10"), 80, ProtocolType.Tcp);
        Assert.Equal(new byte[] { 192, 0, 2, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 80, 6, 4 }, v4);

        var v6 = XdpFlowKey.Create(IPAddress.Parse("2001:db8:a::1"), 443, ProtocolType.Udp);
        Assert.Equal(0x20, v6[0]);
        Assert.Equal(1, v6[15]);
        Assert.Equal((1, 0xbb, 17, 6), (v6[16], v6[17], v6[18], v6[19]));

        Assert.Throws<ArgumentException>(() => XdpFlowKey.Create(IPAddress.Loopback, 1, ProtocolType.Icmp));
    }

    [Theory]
    [InlineData("0-1\n", 2)]
    [InlineData("0", 1)]
    [InlineData("0-3,5", 6)]
    public void PossibleCpus_Parse_HighestPlusOne(string list, int expected) =>
        Assert.Equal(expected, PossibleCpus.Parse(list));
}
