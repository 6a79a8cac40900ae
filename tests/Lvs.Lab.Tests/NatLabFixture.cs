using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>One NAT lab with lvsd for a whole end-to-end class; each test starts by clearing lvsd's table.</summary>
public sealed class NatLabFixture() : LabFixture<NatLab>(NatLab.Create, lab => lab.StartLvsd());
