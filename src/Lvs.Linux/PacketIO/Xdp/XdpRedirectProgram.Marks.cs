using System.Buffers.Binary;
using Lvs.Linux.Steering;
using static Lvs.Linux.PacketIO.Xdp.BpfOp;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>A marking rule the XDP program does not steer, and why.</summary>
/// <param name="Rule">The operator's rule (its <see cref="MarkRule.Handle"/> names it in nft's listing).</param>
/// <param name="Reason">Why it was left out.</param>
public readonly record struct RefusedMarkRule(MarkRule Rule, string Reason);

/// <summary>
/// The operator's marking rules (fwmark services) compiled into the program: each rule becomes a
/// straight run of compares on the flow keys already on the stack, so the program needs no map
/// for them and matches exactly what <see cref="MarkRule"/> can say (prefixes of any length,
/// source and destination, tcp/udp or any protocol, port ranges). Changing the rules means
/// loading a new program and swapping it in (<see cref="XdpRedirectProgram.ReplaceMarks"/>).
/// </summary>
public sealed partial class XdpRedirectProgram
{
    /// <summary>
    /// Instructions the marking rules may take together. Far below the kernel's limits (1M
    /// instructions, 16-bit jump offsets) so the verifier's walk stays short; a rule that would
    /// pass it is refused, named, and the rules before it stay.
    /// </summary>
    public const int MarkRuleBudget = 8192;

    // Saved ports (the lookups zero the keys' ports before the rules run), wire order.
    private const short SavedDstPort = -56;
    private const short SavedSrcPort = -54;

    /// <summary>
    /// Splits <paramref name="rules"/> into those the program takes (in order, within
    /// <see cref="MarkRuleBudget"/>) and those it refuses, each with its reason.
    /// </summary>
    public static (IReadOnlyList<MarkRule> Accepted, IReadOnlyList<RefusedMarkRule> Refused) SelectMarkRules(IReadOnlyList<MarkRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var accepted = new List<MarkRule>();
        var refused = new List<RefusedMarkRule>();
        int used = 0;
        foreach (MarkRule rule in rules)
        {
            if (rule.Protocol is not (null or "tcp" or "udp"))
            {
                refused.Add(new RefusedMarkRule(rule, $"protocol '{rule.Protocol}': the XDP program matches tcp and udp"));
                continue;
            }

            var probe = new BpfAssembler();
            probe.Label("mark_hit");
            EmitRule(probe, rule, "mark_hit");
            int size = probe.Count;
            if (used + size > MarkRuleBudget)
            {
                refused.Add(new RefusedMarkRule(rule,
                    $"the XDP program's budget of {MarkRuleBudget} instructions for marking rules is used up ({used} taken, this rule needs {size}); split the rule or use --io packet"));
                continue;
            }

            used += size;
            accepted.Add(rule);
        }

        return (accepted, refused);
    }

    /// <summary>Saves both ports before the lookups zero them (only when there are rules to match).</summary>
    private static void EmitSavePorts(BpfAssembler a) =>
        a.Load(H, 4, BpfAssembler.Fp, DstKey + XdpFlowKey.PortOffset).Store(H, BpfAssembler.Fp, SavedDstPort, 4)
         .Load(H, 4, BpfAssembler.Fp, SrcKey + XdpFlowKey.PortOffset).Store(H, BpfAssembler.Fp, SavedSrcPort, 4);

    /// <summary>Every rule in order; a match jumps to <paramref name="hit"/>, no match falls through.</summary>
    private static void EmitMarkRules(BpfAssembler a, IReadOnlyList<MarkRule> rules, string hit)
    {
        foreach (MarkRule rule in rules)
        {
            EmitRule(a, rule, hit);
        }
    }

    // The keys hold the addresses as on the wire; a 32-bit load reads them little-endian, so the
    // constants are the masked prefix bytes read the same way and compared with 32-bit jumps
    // (a 64-bit compare would sign-extend the immediate).
    private static void EmitRule(BpfAssembler a, MarkRule rule, string hit)
    {
        string next = a.NewLabel("mark_next");
        a.Load(B, 4, BpfAssembler.Fp, DstKey + XdpFlowKey.FamilyOffset)
         .JumpImm(JNE, 4, rule.IsIpv6 ? 6 : 4, next);
        if (rule.Protocol is { } protocol)
        {
            a.Load(B, 4, BpfAssembler.Fp, DstKey + XdpFlowKey.ProtocolOffset)
             .JumpImm(JNE, 4, protocol == "tcp" ? 6 : 17, next);
        }

        if (rule.IsIpv6)
        {
            EmitPrefixes(a, DstKey, [.. rule.Destinations6.Select(Bytes)], next);
            if (rule.Sources6.Count > 0)
            {
                EmitPrefixes(a, SrcKey, [.. rule.Sources6.Select(Bytes)], next);
            }
        }
        else
        {
            EmitPrefixes(a, DstKey, [.. rule.Destinations.Select(Bytes)], next);
            if (rule.Sources.Count > 0)
            {
                EmitPrefixes(a, SrcKey, [.. rule.Sources.Select(Bytes)], next);
            }
        }

        if (rule.DestinationPorts.Count > 0)
        {
            EmitPorts(a, SavedDstPort, rule.DestinationPorts, next);
        }

        if (rule.SourcePorts.Count > 0)
        {
            EmitPorts(a, SavedSrcPort, rule.SourcePorts, next);
        }

        a.Goto(hit).Label(next);
    }

    // One of the prefixes must match the key's address, else goto fail.
    private static void EmitPrefixes(BpfAssembler a, short key, IReadOnlyList<(byte[] Address, int Length)> prefixes, string fail)
    {
        string ok = a.NewLabel("prefix_ok");
        foreach (var (address, length) in prefixes)
        {
            string miss = a.NewLabel("prefix_miss");
            for (int word = 0; word * 32 < length; word++)
            {
                int bits = Math.Min(32, length - (word * 32));
                uint maskBe = bits == 32 ? uint.MaxValue : uint.MaxValue << (32 - bits);
                uint valueBe = BinaryPrimitives.ReadUInt32BigEndian(address.AsSpan(word * 4)) & maskBe;
                a.Load(W, 4, BpfAssembler.Fp, (short)(key + (word * 4)));
                if (bits < 32)
                {
                    a.AluImm(AND, 4, (int)BinaryPrimitives.ReverseEndianness(maskBe));
                }

                a.JumpImm32(JNE, 4, (int)BinaryPrimitives.ReverseEndianness(valueBe), miss);
            }

            a.Goto(ok).Label(miss);
        }

        a.Goto(fail).Label(ok);
    }

    // The port (host order in r4, rebuilt from the saved wire bytes) must lie in one of the spans.
    private static void EmitPorts(BpfAssembler a, short slot, IReadOnlyList<PortSpan> spans, string fail)
    {
        string ok = a.NewLabel("port_ok");
        a.Load(B, 4, BpfAssembler.Fp, slot)
         .AluImm(LSH, 4, 8)
         .Load(B, 5, BpfAssembler.Fp, (short)(slot + 1))
         .Alu(OR, 4, 5);
        foreach (PortSpan span in spans)
        {
            if (span.Low == span.High)
            {
                a.JumpImm(JEQ, 4, span.Low, ok);
                continue;
            }

            string miss = a.NewLabel("port_miss");
            a.JumpImm(JLT, 4, span.Low, miss)
             .JumpImm(JGT, 4, span.High, miss)
             .Goto(ok)
             .Label(miss);
        }

        a.Goto(fail).Label(ok);
    }

    private static (byte[], int) Bytes(Prefix4 p)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, p.Address);
        return (bytes, Math.Clamp(p.Length, 0, 32));
    }

    private static (byte[], int) Bytes(Prefix6 p)
    {
        var bytes = new byte[16];
        p.Address.WriteTo(bytes);
        return (bytes, Math.Clamp(p.Length, 0, 128));
    }
}
