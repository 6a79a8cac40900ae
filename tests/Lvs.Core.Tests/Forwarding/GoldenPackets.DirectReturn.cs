using Lvs.Core.Services;

namespace Lvs.Core.Tests.Forwarding;

/// <summary>
/// Golden DR and TUN packets. The hex was derived by <c>TestSupport/golden-direct-return.py</c>
/// (plain struct packing and RFC 1071 sums, sharing nothing with Lvs.Core) and pasted.
/// </summary>
/// <remarks>
/// DR service TCP 192.0.2.20:80 -> 203.0.113.11 (-g); TUN service TCP 192.0.2.30:80 -> 203.0.113.21
/// ipip, 203.0.113.22 gue port 6080 with --tun-csum, 203.0.113.23 gre with --tun-csum (-i, rr).
/// The director's own address (the outer source) is 203.0.113.1.
/// </remarks>
public static partial class GoldenPackets
{
    public const string DrVipText = "192.0.2.20";
    public const string TunVipText = "192.0.2.30";

    public static readonly uint DrVipAddress = Ipv4.Parse(DrVipText);
    public static readonly uint TunVipAddress = Ipv4.Parse(TunVipText);
    public static readonly uint DirectorAddress = Ipv4.Parse("203.0.113.1");
    public static readonly uint DrServerAddress = Ipv4.Parse("203.0.113.11");
    public static readonly uint IpipServerAddress = Ipv4.Parse("203.0.113.21");
    public static readonly uint GueServerAddress = Ipv4.Parse("203.0.113.22");
    public static readonly uint GreServerAddress = Ipv4.Parse("203.0.113.23");

    public static readonly ServiceKey DrService = new(IpProtocol.Tcp, DrVipAddress, 80);
    public static readonly ServiceKey TunService = new(IpProtocol.Tcp, TunVipAddress, 80);

    public static readonly TunnelSpec IpipTunnel = new(TunnelType.IpIp, 0, TunnelChecksum.NoChecksum);
    public static readonly TunnelSpec GueTunnel = new(TunnelType.Gue, 6080, TunnelChecksum.Checksum);
    public static readonly TunnelSpec GreTunnel = new(TunnelType.Gre, 0, TunnelChecksum.Checksum);

    /// <summary>DR: client SYN 198.51.100.2:40000 -> 192.0.2.20:80; only TTL and header checksum change.</summary>
    public static readonly GoldenPacket DrSyn = new(
        "DrSyn",
        "0200000000010200000000020800450000281234400040063c52c6336402c00002149c40005001020304000000005002faf028110000",
        false,
        DrServerAddress,
        "020000000001020000000002080045000028123440003f063d52c6336402c00002149c40005001020304000000005002faf028110000");

    /// <summary>DR: the client's ACK completing the handshake (the director never sees the SYN-ACK).</summary>
    public static readonly GoldenPacket DrAck = new(
        "DrAck",
        "0200000000010200000000020800450000281234400040063c52c6336402c00002149c400050010203050a0b0c0e5010faf011e90000",
        false,
        DrServerAddress,
        "020000000001020000000002080045000028123440003f063d52c6336402c00002149c400050010203050a0b0c0e5010faf011e90000");

    /// <summary>DR: client PSH-ACK with 10 bytes.</summary>
    public static readonly GoldenPacket DrClientData = new(
        "DrClientData",
        "0200000000010200000000020800450000321234400040063c48c6336402c00002149c400050010203050a0b0c0e5018faf0aaac0000474554202f2048545450",
        false,
        DrServerAddress,
        "020000000001020000000002080045000032123440003f063d48c6336402c00002149c400050010203050a0b0c0e5018faf0aaac0000474554202f2048545450");

    /// <summary>DR: client FIN-ACK.</summary>
    public static readonly GoldenPacket DrFin = new(
        "DrFin",
        "0200000000010200000000020800450000281234400040063c52c6336402c00002149c4000500102030f0a0b0c0e5011faf011de0000",
        false,
        DrServerAddress,
        "020000000001020000000002080045000028123440003f063d52c6336402c00002149c4000500102030f0a0b0c0e5011faf011de0000");

    /// <summary>DR: client SYN from port 40001 with a partial checksum, which DR must leave partial.</summary>
    public static readonly GoldenPacket DrSynPartial = new(
        "DrSynPartial",
        "0200000000010200000000020800450000281234400040063c52c6336402c00002149c41005001020304000000005002faf0ec640000",
        true,
        DrServerAddress,
        "020000000001020000000002080045000028123440003f063d52c6336402c00002149c41005001020304000000005002faf0ec640000");

    public static readonly IReadOnlyList<GoldenPacket> DrFlow = [DrSyn, DrAck, DrClientData, DrFin];

    public static readonly IReadOnlyList<GoldenPacket> DrPartialFlow = [DrSynPartial];

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<GoldenPacket>> DrFlows = new Dictionary<string, IReadOnlyList<GoldenPacket>>
    {
        ["dr"] = DrFlow,
        ["dr-partial"] = DrPartialFlow,
    };

    /// <summary>TUN: client SYN 198.51.100.2:40000 -> 192.0.2.30:80 as it reaches the director.</summary>
    public const string TunSynInputHex =
        "0200000000010200000000020800450000281234400040063c48c6336402c000021e9c40005001020304000000005002faf028070000";

    /// <summary>TUN: the same SYN as the director hands it to the encoder (IP only, TTL 63).</summary>
    public const string TunInnerHex = "45000028123440003f063d48c6336402c000021e9c40005001020304000000005002faf028070000";

    /// <summary>TunInner in IPIP to 203.0.113.21: outer TTL 63, DF, ID 0, TOS 0, protocol 4.</summary>
    public const string IpipOutputHex =
        "4500003c000040003f04c3a6cb007101cb007115" + TunInnerHex;

    /// <summary>TunInner in GRE without checksum to 203.0.113.23: flags 0x0000, protocol 0x0800.</summary>
    public const string GreOutputHex =
        "45000040000040003f2fc375cb007101cb007117" + "00000800" + TunInnerHex;

    /// <summary>TunInner in GRE with checksum (--tun-csum) to 203.0.113.23: flags 0x8000, checksum 0x646e, reserved 0.</summary>
    public const string GreChecksumOutputHex =
        "45000044000040003f2fc371cb007101cb007117" + "80000800646e0000" + TunInnerHex;

    public static IEnumerable<GoldenPacket> AllDirectReturn => DrFlows.Values.SelectMany(f => f);

    /// <summary>The NAT services of <see cref="CreateServices"/> plus the DR and TUN services above.</summary>
    public static ServiceTable CreateAllServices(int workers = 1)
    {
        ServiceTable table = CreateServices(workers);
        Check(table.AddService(DrService, "rr"));
        Check(table.AddServer(DrService, DrServerAddress, 80, ForwardMethod.DirectRoute, 1));
        Check(table.AddService(TunService, "rr"));
        Check(table.AddServer(TunService, IpipServerAddress, 80, ForwardMethod.Tunnel, 1, IpipTunnel));
        Check(table.AddServer(TunService, GueServerAddress, 80, ForwardMethod.Tunnel, 1, GueTunnel));
        Check(table.AddServer(TunService, GreServerAddress, 80, ForwardMethod.Tunnel, 1, GreTunnel));
        return table;
    }
}
