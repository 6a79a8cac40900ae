using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// The dual-stack NAT lab for the IPv6 end-to-end class: nginx serving the 100 MB file,
/// dnsmasq on the real servers' IPv4 and IPv6 addresses (when installed; the UDP test skips
/// otherwise), and lvsd.
/// </summary>
public sealed class Ipv6NatLabFixture() : LabFixture<NatLab>(
    NatLab.Create,
    lab =>
    {
        if (Tools.Missing(Tools.ForDnsTests).Count == 0)
        {
            lab.StartDnsServers();
        }

        lab.StartLvsd();
    });

/// <summary>The dual-stack NAT lab with lvsd on AF_XDP (<c>--io xdp</c>).</summary>
public sealed class XdpIpv6NatLabFixture() : LabFixture<NatLab>(
    NatLab.Create,
    lab =>
    {
        if (Tools.Missing(Tools.ForDnsTests).Count == 0)
        {
            lab.StartDnsServers();
        }

        lab.StartLvsd("--io", "xdp");
    });

/// <summary>The dual-stack DR lab with lvsd on AF_XDP.</summary>
public sealed class XdpIpv6DrLabFixture() : DirectReturnLabFixture(options => DrLab.Create(options), "--io", "xdp");

/// <summary>The dual-stack DR lab with lvsd and agents serving both VIPs.</summary>
public sealed class Ipv6DrLabFixture() : DirectReturnLabFixture(options => DrLab.Create(options));

/// <summary>The dual-stack TUN (IPIP) lab with lvsd and agents decapsulating ip6ip6 for the IPv6 VIP.</summary>
public sealed class Ipv6IpipLabFixture() : DirectReturnLabFixture(options => TunLab.Create(options, TunnelType.Ipip));

/// <summary>
/// The IPv6 end-to-end classes run one after another (each builds a lab and moves 100 MB; on two
/// cores, side by side they would slow each other's downloads towards their time limits).
/// </summary>
[CollectionDefinition(Name)]
public sealed class Ipv6Collection
{
    public const string Name = "ipv6 labs";
}
