using Lvs.Linux.Interop;
using Lvs.Linux.Steering;
using static Lvs.Linux.PacketIO.Xdp.BpfOp;

namespace Lvs.Linux.PacketIO.Xdp;

/// <summary>The program's code, emitted by our own assembler (no clang, no libbpf).</summary>
public sealed partial class XdpRedirectProgram
{
    // Stack frame (r10 = fp): the destination key, the source key, the counter index.
    private const short DstKey = -24;   // XdpFlowKey of daddr:dport
    private const short SrcKey = -48;   // XdpFlowKey of saddr:sport
    private const short CounterKey = -52; // then the saved ports at -56 and -54 (Marks.cs)

    // struct xdp_md (include/uapi/linux/bpf.h): data, data_end, data_meta, ingress_ifindex, rx_queue_index.
    private const short MdData = 0;
    private const short MdDataEnd = 4;
    private const short MdRxQueueIndex = 16;

    // Registers kept across helper calls (r6..r9 are callee-saved).
    private const byte Ctx = 6;
    private const byte L3 = 7;     // the network header, then the transport header; later the counter index
    private const byte End = 8;    // data_end
    private const byte Verdict = 9;

    // EtherTypes and masks as a little-endian 16-bit load sees the wire bytes.
    private const int EthIpv4 = 0x0008;
    private const int EthIpv6 = 0xdd86;
    private const int EthVlan = 0x0081;
    private const int FragOffsetMask = 0xff1f;

    /// <summary>
    /// Emits the program for the given map fds. In outline:
    /// <code>
    /// eth = data; if eth+14 > end: pass(truncated)
    /// type = eth.type; if type == 802.1Q: skip 4 bytes (one tag)
    /// IPv4: ihl, proto, no fragment offset; IPv6: fixed header, next header (no extension headers)
    /// IPv4 ICMP error (type 3, 11, 12): dkey/skey from the quoted packet, source and destination swapped
    /// proto not TCP/UDP/SCTP: pass(other)
    /// dkey = daddr:dport:proto; skey = saddr:sport:proto
    /// if services[dkey] or services[dkey with port 0]: redirect(service)
    /// if replies[skey] or replies[skey with port 0]:
    ///     if locals[daddr]: pass(to director)   — the director's own connections to a real server
    ///     redirect(reply)
    /// for each marking rule (fwmark services): if it matches the keys: redirect(marked)
    /// pass(no match)
    /// redirect: bpf_redirect_map(xsks, rx_queue_index, XDP_PASS) — XDP_PASS when no socket
    /// </code>
    /// Every packet access is preceded by a comparison against data_end, as the verifier requires.
    /// </summary>
    /// <param name="marks">The marking rules to match after the maps miss (see <see cref="SelectMarkRules"/>); none by default.</param>
    public static BpfInsn[] Emit(int servicesFd, int repliesFd, int localsFd, int socketsFd, int statsFd, IReadOnlyList<MarkRule>? marks = null)
    {
        marks ??= [];
        var a = new BpfAssembler();
        a.Mov(Ctx, 1)
         .Load(W, L3, Ctx, MdData)
         .Load(W, End, Ctx, MdDataEnd);
        for (short off = -8; off >= SrcKey; off -= 8)
        {
            a.StoreImm(DW, BpfAssembler.Fp, off, 0);
        }

        // Ethernet, and one 802.1Q tag (a device that strips tags has already done so).
        Need(a, 14);
        a.Load(H, 3, L3, 12)
         .JumpImm(JNE, 3, EthVlan, "untagged");
        Need(a, 18);
        a.Load(H, 3, L3, 16)
         .AluImm(ADD, L3, 4)
         .Label("untagged")
         .AluImm(ADD, L3, 14)
         .JumpImm(JEQ, 3, EthIpv4, "ipv4")
         .JumpImm(JEQ, 3, EthIpv6, "ipv6")
         .Goto("pass_other");

        // IPv4: addresses at 12 and 16, protocol at 9, header length from IHL.
        a.Label("ipv4");
        Need(a, 20);
        a.Load(H, 4, L3, 6)
         .AluImm(AND, 4, FragOffsetMask)
         .JumpImm(JNE, 4, 0, "pass_other")
         .Load(B, 3, L3, 9)
         .JumpImm(JEQ, 3, 1, "v4_icmp");
        JumpIfTransport(a, "v4_transport");
        a.Goto("pass_other")
         .Label("v4_transport");
        SetProtoFamily(a, 4);
        a.Load(W, 4, L3, 16).Store(W, BpfAssembler.Fp, DstKey, 4)
         .Load(W, 4, L3, 12).Store(W, BpfAssembler.Fp, SrcKey, 4)
         .Load(B, 4, L3, 0)
         .AluImm(AND, 4, 0x0f)
         .AluImm(LSH, 4, 2)
         .JumpImm(JLT, 4, 20, "pass_truncated")
         .Alu(ADD, L3, 4)
         .Goto("ports");

        // ICMPv4 errors (unreachable, time exceeded, parameter problem) about a connection: the
        // quoted packet is one the director sent. From VIP:vport to a client (its source is a
        // service) or to a NAT real server RIP:rport (its destination is a "replies" entry). So the
        // destination key takes the quoted source and the source key the quoted destination.
        a.Label("v4_icmp")
         .Load(B, 4, L3, 0)
         .AluImm(AND, 4, 0x0f)
         .AluImm(LSH, 4, 2)
         .JumpImm(JLT, 4, 20, "pass_truncated")
         .Alu(ADD, L3, 4);
        Need(a, 8 + 20);
        a.Load(B, 3, L3, 0)
         .JumpImm(JEQ, 3, 3, "icmp_error")
         .JumpImm(JEQ, 3, 11, "icmp_error")
         .JumpImm(JEQ, 3, 12, "icmp_error")
         .Goto("pass_other")
         .Label("icmp_error")
         .AluImm(ADD, L3, 8)
         .Load(B, 3, L3, 9);
        JumpIfTransport(a, "icmp_quoted");
        a.Goto("pass_other")
         .Label("icmp_quoted");
        SetProtoFamily(a, 4);
        a.Load(W, 4, L3, 12).Store(W, BpfAssembler.Fp, DstKey, 4)
         .Load(W, 4, L3, 16).Store(W, BpfAssembler.Fp, SrcKey, 4)
         .Load(B, 4, L3, 0)
         .AluImm(AND, 4, 0x0f)
         .AluImm(LSH, 4, 2)
         .JumpImm(JLT, 4, 20, "pass_truncated")
         .Alu(ADD, L3, 4);
        Need(a, 4);
        a.Load(H, 4, L3, 0).Store(H, BpfAssembler.Fp, DstKey + XdpFlowKey.PortOffset, 4)
         .Load(H, 4, L3, 2).Store(H, BpfAssembler.Fp, SrcKey + XdpFlowKey.PortOffset, 4)
         .Goto("lookups");

        // IPv6: fixed 40-byte header, source at 8, destination at 24, next header at 6.
        a.Label("ipv6");
        Need(a, 40);
        a.Load(B, 3, L3, 6);
        JumpIfTransport(a, "v6_transport");
        a.Goto("pass_other")
         .Label("v6_transport");
        SetProtoFamily(a, 6);
        for (short i = 0; i < 16; i += 4)
        {
            a.Load(W, 4, L3, (short)(24 + i)).Store(W, BpfAssembler.Fp, (short)(DstKey + i), 4)
             .Load(W, 4, L3, (short)(8 + i)).Store(W, BpfAssembler.Fp, (short)(SrcKey + i), 4);
        }

        a.AluImm(ADD, L3, 40);

        // TCP, UDP and SCTP all start with source port, destination port.
        a.Label("ports");
        Need(a, 4);
        a.Load(H, 4, L3, 0).Store(H, BpfAssembler.Fp, SrcKey + XdpFlowKey.PortOffset, 4)
         .Load(H, 4, L3, 2).Store(H, BpfAssembler.Fp, DstKey + XdpFlowKey.PortOffset, 4);

        a.Label("lookups");
        if (marks.Count > 0)
        {
            EmitSavePorts(a);
        }

        Lookup(a, servicesFd, DstKey, "hit_service");
        a.StoreImm(H, BpfAssembler.Fp, DstKey + XdpFlowKey.PortOffset, 0);
        Lookup(a, servicesFd, DstKey, "hit_service");
        Lookup(a, repliesFd, SrcKey, "hit_reply");
        a.StoreImm(H, BpfAssembler.Fp, SrcKey + XdpFlowKey.PortOffset, 0);
        Lookup(a, repliesFd, SrcKey, "hit_reply");
        EmitMarkRules(a, marks, "hit_mark");
        a.MovImm(L3, (int)XdpCounter.PassedNoMatch).Goto("pass");

        if (marks.Count > 0)
        {
            // Only with rules: the verifier refuses code nothing jumps to.
            a.Label("hit_mark").MovImm(L3, (int)XdpCounter.RedirectedMarked).Goto("redirect");
        }

        a.Label("hit_service").MovImm(L3, (int)XdpCounter.RedirectedService).Goto("redirect");
        // A reply addressed to the director itself (its own connection to the real server) is the kernel's.
        a.Label("hit_reply")
         .StoreImm(B, BpfAssembler.Fp, DstKey + XdpFlowKey.ProtocolOffset, 0);
        Lookup(a, localsFd, DstKey, "to_director");
        a.MovImm(L3, (int)XdpCounter.RedirectedReply);
        a.Label("redirect")
         .Load(W, 2, Ctx, MdRxQueueIndex)
         .LoadMapFd(1, socketsFd)
         .MovImm(3, Bpf.XDP_PASS)
         .Call(FuncRedirectMap)
         .Mov(Verdict, 0)
         .JumpImm(JEQ, Verdict, Bpf.XDP_REDIRECT, "count_verdict")
         .MovImm(L3, (int)XdpCounter.PassedNoSocket)
         .Label("count_verdict");
        Count(a, statsFd);
        a.Mov(0, Verdict).Exit();

        a.Label("to_director").MovImm(L3, (int)XdpCounter.PassedToDirector).Goto("pass");
        a.Label("pass_truncated").MovImm(L3, (int)XdpCounter.PassedTruncated).Goto("pass");
        a.Label("pass_other").MovImm(L3, (int)XdpCounter.PassedOther);
        a.Label("pass");
        Count(a, statsFd);
        a.MovImm(0, Bpf.XDP_PASS).Exit();
        return a.Build();
    }

    // if (L3 + bytes > data_end) pass(truncated)
    private static void Need(BpfAssembler a, int bytes) =>
        a.Mov(2, L3).AluImm(ADD, 2, bytes).Jump(JGT, 2, End, "pass_truncated");

    private static void JumpIfTransport(BpfAssembler a, string label) =>
        a.JumpImm(JEQ, 3, 6, label).JumpImm(JEQ, 3, 17, label).JumpImm(JEQ, 3, 132, label);

    // r3 holds the protocol.
    private static void SetProtoFamily(BpfAssembler a, int family) =>
        a.Store(B, BpfAssembler.Fp, DstKey + XdpFlowKey.ProtocolOffset, 3)
         .Store(B, BpfAssembler.Fp, SrcKey + XdpFlowKey.ProtocolOffset, 3)
         .StoreImm(B, BpfAssembler.Fp, DstKey + XdpFlowKey.FamilyOffset, family)
         .StoreImm(B, BpfAssembler.Fp, SrcKey + XdpFlowKey.FamilyOffset, family);

    private static void Lookup(BpfAssembler a, int mapFd, short key, string hit) =>
        a.LoadMapFd(1, mapFd)
         .Mov(2, BpfAssembler.Fp)
         .AluImm(ADD, 2, key)
         .Call(FuncMapLookupElem)
         .JumpImm(JNE, 0, 0, hit);

    // stats[L3] += 1 (per-CPU, so a plain add).
    private static void Count(BpfAssembler a, int statsFd)
    {
        string skip = a.NewLabel("no_counter");
        a.Store(W, BpfAssembler.Fp, CounterKey, L3)
         .LoadMapFd(1, statsFd)
         .Mov(2, BpfAssembler.Fp)
         .AluImm(ADD, 2, CounterKey)
         .Call(FuncMapLookupElem)
         .JumpImm(JEQ, 0, 0, skip)
         .Load(DW, 1, 0, 0)
         .AluImm(ADD, 1, 1)
         .Store(DW, 0, 0, 1)
         .Label(skip);
    }
}
