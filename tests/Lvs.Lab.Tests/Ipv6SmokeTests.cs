using System.Security.Cryptography;
using Lvs.Lab;

namespace Lvs.Lab.Tests;

/// <summary>
/// One IPv6 NAT round trip through lvsd, in three namespaces of its own (the full IPv6 labs
/// are Lvs.Lab's IPv6 topologies):
/// <code>
///  client eth0 2001:db8:c::2 ── eth0 director 2001:db8:c::1, VIP 2001:db8:a::1/128
///                                   eth1 fd00::1 ── eth0 rs fd00::11 (nginx on [::]:8080)
/// </code>
/// curl reaches the VIP, nginx answers through the director, and a 4 MiB download (GSO
/// super-frames on veth) arrives byte for byte.
/// </summary>
public sealed class Ipv6SmokeTests
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    [RootFact]
    public void Lvsd_Ipv6NatService_CurlAndDownloadThroughTheDirector()
    {
        string prefix = "v6s" + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        string client = prefix + "-c", director = prefix + "-d", rs = prefix + "-r";
        string temp = Directory.CreateTempSubdirectory("lvs-v6smoke-").FullName;
        var made = new List<string>();
        var processes = new List<LabProcess>();
        try
        {
            foreach (string ns in new[] { client, director, rs })
            {
                Run("ip", "netns", "add", ns);
                made.Add(ns);
                Run("ip", "-n", ns, "link", "set", "lo", "up");
            }

            Run("ip", "-n", client, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", director);
            Run("ip", "-n", director, "link", "add", "eth1", "type", "veth", "peer", "name", "eth0", "netns", rs);
            Address(client, "2001:db8:c::2/64", "eth0");
            Address(director, "2001:db8:c::1/64", "eth0");
            Address(director, "2001:db8:a::1/128", "eth0");
            Address(director, "fd00::1/64", "eth1");
            Address(rs, "fd00::11/64", "eth0");
            foreach ((string ns, string dev) in new[] { (client, "eth0"), (director, "eth0"), (director, "eth1"), (rs, "eth0") })
            {
                Run("ip", "-n", ns, "link", "set", dev, "up");
            }

            Run("ip", "-n", client, "-6", "route", "add", "default", "via", "2001:db8:c::1");
            Run("ip", "-n", rs, "-6", "route", "add", "default", "via", "fd00::1");
            Run("ip", "netns", "exec", director, "sysctl", "-qw", "net.ipv6.conf.all.forwarding=0");

            byte[] big = RandomNumberGenerator.GetBytes(4 << 20);
            File.WriteAllBytes(Path.Combine(temp, "big"), big);
            File.WriteAllText(Path.Combine(temp, "nginx.conf"), Nginx(temp));
            processes.Add(LabProcess.Start("nginx", "ip", ["netns", "exec", rs, "nginx", "-c", Path.Combine(temp, "nginx.conf"), "-e", Path.Combine(temp, "error.log")]));

            string control = Path.Combine(temp, "lvsd.sock");
            LabProcess lvsd = LabProcess.Start("lvsd", "ip", ["netns", "exec", director, LvsBin.Program("lvsd"), "--control", control]);
            processes.Add(lvsd);
            WaitFor(() => File.Exists(control) && Lvsadm(control, "-L", "-n").Succeeded, () => lvsd.Output);

            Lvsadm(control, "-A", "-t", "[2001:db8:a::1]:80", "-s", "rr").EnsureSuccess();
            Lvsadm(control, "-a", "-t", "[2001:db8:a::1]:80", "-r", "[fd00::11]:8080", "-m").EnsureSuccess();
            Assert.Contains("TCP  [2001:db8:a::1]:80 rr\n  -> [fd00::11]:8080              Masq    1", Lvsadm(control, "-L", "-n").Stdout);

            // Namespaces need a moment before the first packets flow (LINUX-NOTES); curl retries in a bounded loop.
            string body = "";
            for (int i = 0; i < 20 && body != "rs-v6\n"; i++)
            {
                body = Curl(client, "-o", "-", "http://[2001:db8:a::1]:80/").Stdout;
                Thread.Sleep(body == "rs-v6\n" ? 0 : 250);
            }

            Assert.Equal("rs-v6\n", body);
            string got = Path.Combine(temp, "got");
            Curl(client, "-o", got, "http://[2001:db8:a::1]:80/big").EnsureSuccess();
            Assert.Equal(big, File.ReadAllBytes(got));
            Assert.Contains("[2001:db8:c::2]:", Lvsadm(control, "-L", "-n", "-c").Stdout);
        }
        finally
        {
            foreach (LabProcess p in Enumerable.Reverse(processes))
            {
                p.Stop(TimeSpan.FromSeconds(5));
                p.Dispose();
            }

            foreach (string ns in made)
            {
                ProcessRunner.Run("ip", ["netns", "del", ns], Step);
            }

            Directory.Delete(temp, recursive: true);
        }
    }

    private static ExecResult Run(params string[] command) => ProcessRunner.Run(command[0], command[1..], Step).EnsureSuccess();

    // nodad: the addresses are usable at once, so the test does not wait out duplicate address detection.
    private static void Address(string ns, string cidr, string dev) => Run("ip", "-n", ns, "addr", "add", cidr, "dev", dev, "nodad");

    private static ExecResult Lvsadm(string control, params string[] args) =>
        ProcessRunner.Run(LvsBin.Program("lvsadm"), ["--control", control, .. args], Step);

    private static ExecResult Curl(string ns, params string[] args) =>
        ProcessRunner.Run("ip", ["netns", "exec", ns, "curl", "-sS", "-g", "--max-time", "20", .. args], Step);

    private static void WaitFor(Func<bool> ready, Func<string> diagnostics)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!ready())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"lvsd not ready:\n{diagnostics()}");
            Thread.Sleep(100);
        }
    }

    private static string Nginx(string dir) => $$"""
        daemon off; master_process on; worker_processes 1; user root;
        pid {{dir}}/nginx.pid; error_log {{dir}}/error.log warn;
        events { worker_connections 256; }
        http {
            access_log off; client_body_temp_path {{dir}}/cb; proxy_temp_path {{dir}}/p;
            fastcgi_temp_path {{dir}}/f; uwsgi_temp_path {{dir}}/u; scgi_temp_path {{dir}}/s;
            server {
                listen [::]:8080 ipv6only=on;
                location = / { default_type text/plain; return 200 "rs-v6\n"; }
                location = /big { alias {{dir}}/big; }
            }
        }
        """;
}
