using System.Buffers.Binary;
using Lvs.Core.Packets;
using Lvs.Core.Sync;

namespace Lvs.Core.Tests.Sync;

/// <summary>Messages built byte by byte after ip_vs_sync.c's structs, then decoded.</summary>
public class SyncDecoderTests
{
    private readonly SyncCounters _counters = new();
    private readonly SyncEntry[] _entries = new SyncEntry[255];

    /// <summary>struct ip_vs_sync_v4 by hand: type, protocol, ver_size, flags, state, ports, fwmark, timeout, addresses.</summary>
    internal static byte[] V4(byte protocol, uint flags, ushort state, ushort cport, ushort vport, ushort dport, uint fwmark, uint timeout,
        uint caddr, uint vaddr, uint daddr, byte[]? options = null, int verSize = -1)
    {
        options ??= [];
        byte[] e = new byte[36 + options.Length];
        e[0] = 0;
        e[1] = protocol;
        BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(2), (ushort)(verSize >= 0 ? verSize : e.Length));
        BinaryPrimitives.WriteUInt32BigEndian(e.AsSpan(4), flags);
        BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(8), state);
        BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(10), cport);
        BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(12), vport);
        BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(14), dport);
        BinaryPrimitives.WriteUInt32BigEndian(e.AsSpan(16), fwmark);
        BinaryPrimitives.WriteUInt32BigEndian(e.AsSpan(20), timeout);
        BinaryPrimitives.WriteUInt32BigEndian(e.AsSpan(24), caddr);
        BinaryPrimitives.WriteUInt32BigEndian(e.AsSpan(28), vaddr);
        BinaryPrimitives.WriteUInt32BigEndian(e.AsSpan(32), daddr);
        options.CopyTo(e, 36);
        return e;
    }

    /// <summary>struct ip_vs_sync_mesg and its entries, each 4-byte aligned.</summary>
    internal static byte[] Message(byte syncId, params byte[][] entries)
    {
        var body = new List<byte>(new byte[8]);
        foreach (byte[] e in entries)
        {
            while (body.Count % 4 != 0)
            {
                body.Add(0);
            }

            body.AddRange(e);
        }

        byte[] m = [.. body];
        m[1] = syncId;
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(2), (ushort)m.Length);
        m[4] = (byte)entries.Length;
        m[5] = 1;
        return m;
    }

    private static byte[] SeqOption(uint a, uint b, uint c, uint d, uint e, uint f)
    {
        byte[] o = new byte[26];
        o[0] = 1;
        o[1] = 24;
        uint[] v = [a, b, c, d, e, f];
        for (int i = 0; i < 6; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(o.AsSpan(2 + (4 * i)), v[i]);
        }

        return o;
    }

    private static uint Ip(string s) => Ipv4Address(s);

    private static uint Ipv4Address(string s) => Lvs.Core.Services.Ipv4.Parse(s);

    private SyncDropReason Decode(byte[] m, out int count, byte syncId = 0, int maxLength = 1472) =>
        SyncDecoder.Decode(m, syncId, maxLength, _entries, out count, _counters);

    [Fact]
    public void Decode_HandBuiltV4Connection_EveryField()
    {
        byte[] m = Message(1, V4(6, IpvsConnFlags.Masq, 1, 40000, 80, 8080, 0, 900, Ip("198.51.100.7"), Ip("192.0.2.10"), Ip("10.0.0.11")));

        Assert.Equal(SyncDropReason.None, Decode(m, out int n, syncId: 1));

        Assert.Equal(1, n);
        SyncEntry e = _entries[0];
        Assert.False(e.IsIPv6);
        Assert.Equal((6, 1, 40000, 80, 8080, 900u), (e.Protocol, e.State, e.ClientPort, e.VirtualPort, e.DestPort, e.TimeoutSeconds));
        Assert.Equal(Ipv6Address.FromIPv4(Ip("198.51.100.7")), e.ClientAddress);
        Assert.Equal(Ipv6Address.FromIPv4(Ip("192.0.2.10")), e.VirtualAddress);
        Assert.Equal(Ipv6Address.FromIPv4(Ip("10.0.0.11")), e.DestAddress);
        Assert.False(e.HasSequence);
    }

    [Fact]
    public void Decode_HandBuiltV6WithSequenceOption_AddressesAndSeq()
    {
        byte[] e = new byte[72 + 26];
        e[0] = 1; // STYPE_F_INET6
        e[1] = 6;
        BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(2), (ushort)e.Length);
        BinaryPrimitives.WriteUInt32BigEndian(e.AsSpan(4), IpvsConnFlags.DirectRoute | IpvsConnFlags.SeqMask);
        BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(8), 4); // FIN_WAIT
        BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(10), 5555);
        BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(12), 443);
        BinaryPrimitives.WriteUInt16BigEndian(e.AsSpan(14), 443);
        BinaryPrimitives.WriteUInt32BigEndian(e.AsSpan(20), 120);
        Assert.True(Ipv6Address.TryParse("2001:db8:c::7", out Ipv6Address c));
        Assert.True(Ipv6Address.TryParse("2001:db8:a::10", out Ipv6Address v));
        Assert.True(Ipv6Address.TryParse("2001:db8:b::11", out Ipv6Address d));
        c.WriteTo(e.AsSpan(24));
        v.WriteTo(e.AsSpan(40));
        d.WriteTo(e.AsSpan(56));
        SeqOption(1, 2, 3, 4, 5, 6).CopyTo(e, 72);

        Assert.Equal(SyncDropReason.None, Decode(Message(0, e), out int n));

        Assert.Equal(1, n);
        SyncEntry s = _entries[0];
        Assert.True(s.IsIPv6);
        Assert.Equal((c, v, d), (s.ClientAddress, s.VirtualAddress, s.DestAddress));
        Assert.True(s.HasSequence);
        Assert.Equal(new SyncSequence(1, 2, 3), s.InSequence);
        Assert.Equal(new SyncSequence(4, 5, 6), s.OutSequence);
        Assert.Equal((ushort)4, s.State);
    }

    [Fact]
    public void Decode_TemplateAndConnectionsWithPadding_AllDecodedTemplateStateIgnored()
    {
        byte[] seqConn = V4(17, IpvsConnFlags.Masq, 0, 1, 53, 53, 0, 300, 1, 2, 3, SeqOption(0, 0, 0, 0, 0, 0)); // 62 bytes: 2 padding after
        byte[] template = V4(6, IpvsConnFlags.Template, 9, 0, 80, 80, 0, 360, Ip("198.51.100.0"), Ip("192.0.2.10"), Ip("10.0.0.11"));
        byte[] conn = V4(6, IpvsConnFlags.Inactive, 3, 2, 80, 80, 0, 60, 4, 5, 6);

        Assert.Equal(SyncDropReason.None, Decode(Message(0, seqConn, template, conn), out int n));

        Assert.Equal(3, n);
        Assert.True(_entries[1].IsTemplate);
        Assert.Equal((ushort)0, _entries[1].State);
        Assert.Equal(2, _entries[2].ClientPort);
    }

    public static TheoryData<string, byte[], SyncDropReason> BadMessages()
    {
        byte[] good = V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3);
        byte[] m = Message(5, good);
        var data = new TheoryData<string, byte[], SyncDropReason>
        {
            { "3 bytes", m[..3], SyncDropReason.Truncated },
            { "tail lost", m[..^4], SyncDropReason.Truncated },
            { "trailing bytes", [.. m, 0, 0, 0, 0], SyncDropReason.Oversized },
            { "past maxlen", Message(5, Enumerable.Repeat(good, 50).ToArray()), SyncDropReason.Oversized },
            { "other syncid", Message(6, good), SyncDropReason.WrongSyncId },
        };

        byte[] v0 = (byte[])m.Clone();
        v0[5] = 0;
        data.Add("version 0", v0, SyncDropReason.UnknownVersion);
        byte[] spare = (byte[])m.Clone();
        spare[7] = 1;
        data.Add("spare set", spare, SyncDropReason.UnknownVersion);
        byte[] reserved = (byte[])m.Clone();
        reserved[0] = 1;
        data.Add("reserved set", reserved, SyncDropReason.UnknownVersion);
        byte[] count = (byte[])m.Clone();
        count[4] = 2;
        data.Add("count past the end", count, SyncDropReason.BadEntrySize);
        data.Add("entry size past the end", Message(5, V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3, verSize: 40)), SyncDropReason.BadEntrySize);
        data.Add("entry shorter than its struct", Message(5, V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3, verSize: 20)), SyncDropReason.BadEntrySize);
        data.Add("entry version 1", Message(5, V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3, verSize: 0x1000 | 36)), SyncDropReason.UnknownEntryVersion);
        byte[] badType = V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3);
        badType[0] = 2;
        data.Add("type 2", Message(5, badType), SyncDropReason.BadFamily);
        data.Add("zero-length option", Message(5, V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3, [1, 0, 0, 0])), SyncDropReason.BadOption);
        data.Add("option past entry", Message(5, V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3, [2, 9, 0, 0])), SyncDropReason.BadOption);
        data.Add("odd option byte", Message(5, V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3, [1])), SyncDropReason.BadOption);
        data.Add("short seq option", Message(5, V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3, [1, 4, 0, 0, 0, 0])), SyncDropReason.BadOption);
        data.Add("seq option twice", Message(5, V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3, [.. SeqOption(0, 0, 0, 0, 0, 0), .. SeqOption(0, 0, 0, 0, 0, 0)])), SyncDropReason.BadOption);
        return data;
    }

    [Theory]
    [MemberData(nameof(BadMessages))]
    public void Decode_BadMessage_DroppedAndCountedByReason(string what, byte[] message, SyncDropReason reason)
    {
        Assert.Equal(reason, Decode(message, out int n, syncId: 5, maxLength: 1472));
        // Entries before a framing error were whole and are kept, as ip_vs applies them.
        Assert.True(n == (what == "count past the end" ? 1 : 0), what);
        Assert.Equal(1, _counters.Dropped(reason));
    }

    public static TheoryData<string, byte[], SyncDropReason> BadEntries() => new()
    {
        { "icmp connection", V4(1, 0, 0, 1, 80, 80, 0, 900, 1, 2, 3), SyncDropReason.BadProtocol },
        { "tcp state 11", V4(6, 0, 11, 1, 80, 80, 0, 900, 1, 2, 3), SyncDropReason.BadState },
        { "udp state 1", V4(17, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3), SyncDropReason.BadState },
        { "unknown mandatory option", V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3, [5, 2, 0, 0]), SyncDropReason.UnknownOption },
        { "pe data and name", V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3, [2, 2, 0xAB, 0xCD, 3, 3, (byte)'s', (byte)'i', (byte)'p']), SyncDropReason.UnsupportedPe },
    };

    [Theory]
    [MemberData(nameof(BadEntries))]
    public void Decode_BadEntry_ThatEntryDroppedNextKept(string what, byte[] bad, SyncDropReason reason)
    {
        byte[] good = V4(6, 0, 1, 7, 80, 80, 0, 900, 1, 2, 3);

        Assert.Equal(SyncDropReason.None, Decode(Message(0, bad, good), out int n));

        Assert.True(n == 1, what);
        Assert.Equal(7, _entries[0].ClientPort);
        Assert.Equal(1, _counters.Dropped(reason));
    }

    [Fact]
    public void Decode_OptionalUnknownOption_Skipped()
    {
        Assert.Equal(SyncDropReason.None, Decode(Message(0, V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3, [5 | 64, 2, 0, 0])), out int n));
        Assert.Equal(1, n);
    }

    [Fact]
    public void Decode_SyncIdFilterZero_AcceptsAnySyncId()
    {
        Assert.Equal(SyncDropReason.None, Decode(Message(77, V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3)), out int n, syncId: 0));
        Assert.Equal(1, n);
    }

    [Fact]
    public void Decode_RandomMutations_NeverThrow()
    {
        var random = new Random(7);
        byte[] seed = Message(3, V4(6, 0, 1, 1, 80, 80, 0, 900, 1, 2, 3, SeqOption(1, 2, 3, 4, 5, 6)), V4(17, 0, 0, 2, 53, 53, 0, 300, 4, 5, 6));
        for (int i = 0; i < 20_000; i++)
        {
            byte[] m = (byte[])seed.Clone();
            for (int k = random.Next(1, 6); k > 0; k--)
            {
                m[random.Next(m.Length)] = (byte)random.Next(256);
            }

            m = m[..random.Next(m.Length + 1)];
            SyncDecoder.Decode(m, 0, 1472, _entries, out int n, _counters);
            Assert.InRange(n, 0, 2);
        }
    }
}
