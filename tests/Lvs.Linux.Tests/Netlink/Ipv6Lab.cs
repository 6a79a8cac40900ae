namespace Lvs.Linux.Tests.Netlink;

/// <summary>
/// Three namespaces for the IPv6 netlink tests, joined only to each other (DESIGN.md addresses):
/// "dir" has lvs0 2001:db8:c::1/64 towards "cli" (lvs1 2001:db8:c::2/64) and lvs2 2001:db8:b::1/64
/// towards "rs" (lvs3 2001:db8:b::10/64). DAD is off in all three (sysctls before the links exist,
/// <c>nodad</c> on each address) so every address, link-local ones included, is usable at once.
/// Disposing removes all three, also when setup fails half way.
/// </summary>
internal sealed class Ipv6Lab : IDisposable
{
    private readonly List<TestNamespace> _namespaces = [];

    private Ipv6Lab()
    {
    }

    public TestNamespace Director => _namespaces[0];

    public TestNamespace Client => _namespaces[1];

    public TestNamespace RealServer => _namespaces[2];

    public static Ipv6Lab Create()
    {
        var lab = new Ipv6Lab();
        try
        {
            var prefix = TestNamespace.NewPrefix();
            foreach (var suffix in new[] { "dir", "cli", "rs" })
            {
                var ns = TestNamespace.Create(prefix, suffix);
                lab._namespaces.Add(ns);
                ns.Exec("sysctl", "-qw", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
            }

            Join(lab.Director, "lvs0", "2001:db8:c::1/64", lab.Client, "lvs1", "2001:db8:c::2/64");
            Join(lab.Director, "lvs2", "2001:db8:b::1/64", lab.RealServer, "lvs3", "2001:db8:b::10/64");
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var ns in _namespaces)
        {
            ns.Dispose();
        }
    }

    private static void Join(TestNamespace a, string ifA, string cidrA, TestNamespace b, string ifB, string cidrB)
    {
        TestNamespace.LinkVeth(a, ifA, null, b, ifB, null);
        a.Ip("-6", "addr", "add", cidrA, "dev", ifA, "nodad");
        b.Ip("-6", "addr", "add", cidrB, "dev", ifB, "nodad");
        a.WaitOperUp(ifA);
        b.WaitOperUp(ifB);
    }
}
