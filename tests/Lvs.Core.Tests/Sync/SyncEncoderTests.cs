using Lvs.Core.Packets;
using Lvs.Core.Sync;

namespace Lvs.Core.Tests.Sync;

public class SyncEncoderTests
{
    private static SyncEntry V4Entry(int i, bool seq = false) => new()
    {
        Protocol = 6,
        Flags = IpvsConnFlags.Masq | (seq ? IpvsConnFlags.SeqMask : 0),
        State = 1,
        ClientPort = (ushort)(10000 + i),
        VirtualPort = 80,
        DestPort = 8080,
        TimeoutSeconds = 900,
        ClientAddress = Ipv6Address.FromIPv4(0xC6336400u + (uint)i),
        VirtualAddress = Ipv6Address.FromIPv4(0xC000020Au),
        DestAddress = Ipv6Address.FromIPv4(0x0A00000Bu),
        HasSequence = seq,
        InSequence = seq ? new SyncSequence(1, 2, 3) : default,
        OutSequence = seq ? new SyncSequence(4, 5, 6) : default,
    };

    [Fact]
    public void Message_OneV4Entry_MatchesTheKernelsBytes()
    {
        var encoder = new SyncEncoder(9, 1472);
        Assert.True(encoder.TryAdd(V4Entry(1)));

        byte[] expected = SyncDecoderTests.Message(9, SyncDecoderTests.V4(6, 0, 1, 10001, 80, 8080, 0, 900, 0xC6336401u, 0xC000020Au, 0x0A00000Bu));
        Assert.Equal(expected, encoder.Message.ToArray());
    }

    [Fact]
    public void TryAdd_FillsUpToMaxLength_ThenRefuses()
    {
        var encoder = new SyncEncoder(1, 1472);
        int n = 0;
        while (encoder.TryAdd(V4Entry(n)))
        {
            n++;
        }

        // (1472 - 8) / 36 = 40 entries of 36 bytes, already aligned.
        Assert.Equal(40, n);
        Assert.Equal(8 + (40 * 36), encoder.Message.Length);
    }

    [Fact]
    public void EncodeDecode_MixedEntries_RoundTrip()
    {
        var random = new Random(3);
        var sent = new List<SyncEntry>();
        var received = new List<SyncEntry>();
        var encoder = new SyncEncoder(4, 512);
        var counters = new SyncCounters();
        var buffer = new SyncEntry[255];

        void Flush()
        {
            Assert.True(encoder.Message.Length <= 512);
            Assert.Equal(SyncDropReason.None, SyncDecoder.Decode(encoder.Message, 4, 512, buffer, out int n, counters));
            received.AddRange(buffer[..n]);
            encoder.Reset();
        }

        for (int i = 0; i < 300; i++)
        {
            SyncEntry e = V4Entry(i, seq: random.Next(3) == 0);
            if (random.Next(4) == 0)
            {
                e.IsIPv6 = true;
                e.ClientAddress = new Ipv6Address(0x20010DB8000C0000UL, (ulong)i);
                e.VirtualAddress = new Ipv6Address(0x20010DB8000A0000UL, 0x10);
                e.DestAddress = new Ipv6Address(0x20010DB8000B0000UL, 0x11);
            }

            if (random.Next(5) == 0)
            {
                e.Flags |= IpvsConnFlags.Template;
                e.State = 0;
            }

            sent.Add(e);
            if (!encoder.TryAdd(e))
            {
                Flush();
                Assert.True(encoder.TryAdd(e));
            }
        }

        Flush();
        Assert.Equal(sent, received);
    }

    [Fact]
    public void PullMessage_RoundTripAndNotVersion1()
    {
        byte[] b = new byte[PullMessage.Length];
        new PullMessage(PullKind.Done, 3, 0xDEADBEEF, 42).WriteTo(b);

        Assert.True(PullMessage.TryRead(b, out PullMessage m));
        Assert.Equal(new PullMessage(PullKind.Done, 3, 0xDEADBEEF, 42), m);
        Assert.False(SyncDecoder.IsVersion1(b));
        Assert.Equal(0, b[0]); // a kernel reads it as a version 0 message with no connections
        Assert.Equal(SyncDropReason.UnknownVersion, SyncDecoder.Decode(b, 0, 1472, new SyncEntry[1], out _, new SyncCounters()));
    }
}
