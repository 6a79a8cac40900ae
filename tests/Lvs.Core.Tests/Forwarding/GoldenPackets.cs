using Lvs.Core.Services;

namespace Lvs.Core.Tests.Forwarding;

/// <summary>One golden case: a frame, whether its checksum is partial, where it must go and the exact bytes it must become.</summary>
/// <remarks>The hex was derived outside the code under test (each frame built by hand with full checksums) and pasted, so the tests pin the bytes.</remarks>
public sealed record GoldenPacket(string Name, string InputHex, bool ChecksumPartial, uint NextHop, string OutputHex)
{
    public byte[] Input => Convert.FromHexString(InputHex);

    public byte[] Output => Convert.FromHexString(OutputHex);

    public override string ToString() => Name;
}

/// <summary>
/// Golden NAT packets (katran's lib/testing idea): input frame, expected verdict and expected output
/// bytes. Shared by the tests and the benchmarks (linked file). Each flow is a sequence meant to be
/// processed in order by one <see cref="Director"/> over <see cref="CreateServices"/>.
/// </summary>
/// <remarks>
/// Every frame: Ethernet 02:00:00:00:00:02 -> 02:00:00:00:00:01, IPv4 ID 0x1234, DF, TTL 64
/// (63 after forwarding), TCP window 0xfaf0, no options. MACs are not the core's to change.
/// </remarks>
public static partial class GoldenPackets
{
    public const string ClientText = "198.51.100.2";
    public const string VipText = "192.0.2.10";
    public const string RealServerText = "10.0.0.11";

    public static readonly uint ClientAddress = Ipv4.Parse(ClientText);
    public static readonly uint VipAddress = Ipv4.Parse(VipText);
    public static readonly uint RealServerAddress = Ipv4.Parse(RealServerText);

    public static readonly ServiceKey TcpService = new(IpProtocol.Tcp, VipAddress, 80);
    public static readonly ServiceKey UdpService = new(IpProtocol.Udp, VipAddress, 53);

    /// <summary>client SYN 198.51.100.2:40000 -> 192.0.2.10:80, becomes -> 10.0.0.11:8080.</summary>
    public static readonly GoldenPacket TcpSyn = new(
        "TcpSyn",
        "0200000000010200000000020800450000281234400040063c5cc6336402c000020a9c40005001020304000000005002faf0281b0000",
        false,
        RealServerAddress,
        "020000000001020000000002080045000028123440003f06f55bc63364020a00000b9c401f9001020304000000005002faf0c0da0000");

    /// <summary>server SYN-ACK 10.0.0.11:8080 -> 198.51.100.2:40000, becomes 192.0.2.10:80 ->.</summary>
    public static readonly GoldenPacket TcpSynAck = new(
        "TcpSynAck",
        "020000000001020000000002080045000028123440004006f45b0a00000bc63364021f909c400a0b0c0d010203055012faf0aab10000",
        false,
        ClientAddress,
        "020000000001020000000002080045000028123440003f063d5cc000020ac633640200509c400a0b0c0d010203055012faf011f20000");

    /// <summary>client ACK completing the handshake.</summary>
    public static readonly GoldenPacket TcpAck = new(
        "TcpAck",
        "0200000000010200000000020800450000281234400040063c5cc6336402c000020a9c400050010203050a0b0c0e5010faf011f30000",
        false,
        RealServerAddress,
        "020000000001020000000002080045000028123440003f06f55bc63364020a00000b9c401f90010203050a0b0c0e5010faf0aab20000");

    /// <summary>client PSH-ACK with 10 bytes (a 64-byte frame).</summary>
    public static readonly GoldenPacket TcpClientData = new(
        "TcpClientData",
        "0200000000010200000000020800450000321234400040063c52c6336402c000020a9c400050010203050a0b0c0e5018faf0aab60000474554202f2048545450",
        false,
        RealServerAddress,
        "020000000001020000000002080045000032123440003f06f551c63364020a00000b9c401f90010203050a0b0c0e5018faf043760000474554202f2048545450");

    /// <summary>server PSH-ACK with 10 bytes (a 64-byte frame).</summary>
    public static readonly GoldenPacket TcpServerData = new(
        "TcpServerData",
        "020000000001020000000002080045000032123440004006f4510a00000bc63364021f909c400a0b0c0e0102030f5018faf0905d0000485454502f312e312032",
        false,
        ClientAddress,
        "020000000001020000000002080045000032123440003f063d52c000020ac633640200509c400a0b0c0e0102030f5018faf0f79d0000485454502f312e312032");

    /// <summary>client SYN from port 40001 whose TCP checksum is partial (pseudo-header sum only).</summary>
    public static readonly GoldenPacket TcpSynPartial = new(
        "TcpSynPartial",
        "0200000000010200000000020800450000281234400040063c5cc6336402c000020a9c41005001020304000000005002faf0ec5a0000",
        true,
        RealServerAddress,
        "020000000001020000000002080045000028123440003f06f55bc63364020a00000b9c411f9001020304000000005002faf0345b0000");

    /// <summary>server SYN-ACK to port 40001, partial checksum.</summary>
    public static readonly GoldenPacket TcpSynAckPartial = new(
        "TcpSynAckPartial",
        "020000000001020000000002080045000028123440004006f45b0a00000bc63364021f909c410a0b0c0d010203055012faf0345b0000",
        true,
        ClientAddress,
        "020000000001020000000002080045000028123440003f063d5cc000020ac633640200509c410a0b0c0d010203055012faf0ec5a0000");

    /// <summary>client data to port 40001, partial checksum.</summary>
    public static readonly GoldenPacket TcpClientDataPartial = new(
        "TcpClientDataPartial",
        "0200000000010200000000020800450000321234400040063c52c6336402c000020a9c410050010203050a0b0c0e5018faf0ec640000474554202f2048545450",
        true,
        RealServerAddress,
        "020000000001020000000002080045000032123440003f06f551c63364020a00000b9c411f90010203050a0b0c0e5018faf034650000474554202f2048545450");

    /// <summary>UDP 198.51.100.2:5353 -> 192.0.2.10:53, becomes -> 10.0.0.11:5300.</summary>
    public static readonly GoldenPacket UdpRequest = new(
        "UdpRequest",
        "0200000000010200000000020800450000251234400040113c54c6336402c000020a14e900350011e30c68656c6c6f20646e73",
        false,
        RealServerAddress,
        "020000000001020000000002080045000025123440003f11f553c63364020a00000b14e914b40011868d68656c6c6f20646e73");

    /// <summary>UDP 10.0.0.11:5300 -> 198.51.100.2:5353, becomes 192.0.2.10:53 ->.</summary>
    public static readonly GoldenPacket UdpReply = new(
        "UdpReply",
        "020000000001020000000002080045000026123440004011f4520a00000bc633640214b414e90012982d68656c6c6f206261636b",
        false,
        ClientAddress,
        "020000000001020000000002080045000026123440003f113d53c000020ac6336402003514e90012f4ac68656c6c6f206261636b");

    /// <summary>UDP request from port 5354 with checksum 0 (none), which must stay 0.</summary>
    public static readonly GoldenPacket UdpRequestNoChecksum = new(
        "UdpRequestNoChecksum",
        "0200000000010200000000020800450000251234400040113c54c6336402c000020a14ea00350011000068656c6c6f20646e73",
        false,
        RealServerAddress,
        "020000000001020000000002080045000025123440003f11f553c63364020a00000b14ea14b40011000068656c6c6f20646e73");

    /// <summary>UDP reply to port 5354 with checksum 0.</summary>
    public static readonly GoldenPacket UdpReplyNoChecksum = new(
        "UdpReplyNoChecksum",
        "020000000001020000000002080045000026123440004011f4520a00000bc633640214b414ea0012000068656c6c6f206261636b",
        false,
        ClientAddress,
        "020000000001020000000002080045000026123440003f113d53c000020ac6336402003514ea0012000068656c6c6f206261636b");

    public static readonly IReadOnlyList<GoldenPacket> TcpFlow = [TcpSyn, TcpSynAck, TcpAck, TcpClientData, TcpServerData];

    public static readonly IReadOnlyList<GoldenPacket> TcpPartialFlow = [TcpSynPartial, TcpSynAckPartial, TcpClientDataPartial];

    public static readonly IReadOnlyList<GoldenPacket> UdpFlow = [UdpRequest, UdpReply];

    public static readonly IReadOnlyList<GoldenPacket> UdpNoChecksumFlow = [UdpRequestNoChecksum, UdpReplyNoChecksum];

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<GoldenPacket>> Flows = new Dictionary<string, IReadOnlyList<GoldenPacket>>
    {
        ["tcp"] = TcpFlow,
        ["tcp-partial"] = TcpPartialFlow,
        ["udp"] = UdpFlow,
        ["udp-no-checksum"] = UdpNoChecksumFlow,
    };

    public static IEnumerable<GoldenPacket> All => Flows.Values.SelectMany(f => f);

    /// <summary>TCP 192.0.2.10:80 rr -> 10.0.0.11:8080 masq, UDP 192.0.2.10:53 rr -> 10.0.0.11:5300 masq.</summary>
    public static ServiceTable CreateServices(int workers = 1)
    {
        var table = new ServiceTable(workers);
        Check(table.AddService(TcpService, "rr"));
        Check(table.AddServer(TcpService, RealServerAddress, 8080, ForwardMethod.Masquerade, 1));
        Check(table.AddService(UdpService, "rr"));
        Check(table.AddServer(UdpService, RealServerAddress, 5300, ForwardMethod.Masquerade, 1));
        return table;
    }

    private static void Check(TableResult result)
    {
        if (result != TableResult.Ok)
        {
            throw new InvalidOperationException($"golden service setup failed: {result}");
        }
    }
}
