using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// One DR or TUN lab for a whole end-to-end class: namespaces, nginx serving a 100 MB random
/// file, lvsd on the director and lvs-agent on every real server. Each test then starts from
/// a fresh rr service (see <see cref="DirectReturnEndToEndTests"/>).
/// </summary>
/// <param name="lvsdArgs">Extra arguments for lvsd (e.g. --io xdp).</param>
public abstract class DirectReturnLabFixture(Func<LabOptions, DirectReturnLab> create, params string[] lvsdArgs) : LabFixture<DirectReturnLab>(
    create,
    lab =>
    {
        lab.StartLvsd(lvsdArgs);
        lab.StartAgents();
    });

/// <summary>The DR lab.</summary>
public sealed class DrLabFixture() : DirectReturnLabFixture(options => DrLab.Create(options));

/// <summary>The TUN lab with IPIP.</summary>
public sealed class IpipLabFixture() : DirectReturnLabFixture(options => TunLab.Create(options, TunnelType.Ipip));

/// <summary>The TUN lab with GUE on port <see cref="TunLab.GuePort"/>.</summary>
public sealed class GueLabFixture() : DirectReturnLabFixture(options => TunLab.Create(options, TunnelType.Gue));

/// <summary>The TUN lab with GRE.</summary>
public sealed class GreLabFixture() : DirectReturnLabFixture(options => TunLab.Create(options, TunnelType.Gre));

/// <summary>
/// The DR and TUN classes run one after another (each builds a lab and runs wrk for 10 s; on
/// two cores, side by side they would measure each other).
/// </summary>
[CollectionDefinition(Name)]
public sealed class DirectReturnCollection
{
    public const string Name = "direct-return labs";
}
