using System.Net;
using Lvs.Health.Checks;
using Lvs.Health.Tests.TestSupport;

namespace Lvs.Health.Tests;

public class CheckerFactoryTests
{
    private static readonly CheckTarget Server = new(IPAddress.Parse("203.0.113.11"), 80);

    private static IHealthCheck Ok(string text, List<string>? warnings = null)
    {
        Assert.True(CheckerFactory.TryCreate(Blocks.Parse(text), Server, TimeSpan.FromSeconds(6), warnings, out var check, out var error), error);
        return check!;
    }

    private static string Bad(string text)
    {
        Assert.False(CheckerFactory.TryCreate(Blocks.Parse(text), Server, TimeSpan.FromSeconds(6), out var check, out var error));
        Assert.Null(check);
        return error!;
    }

    [Fact]
    public void Kinds_AreKeepalivedsPlusAgent()
    {
        Assert.Equal(
            ["AGENT_CHECK", "DNS_CHECK", "HTTP_GET", "MISC_CHECK", "PING_CHECK", "SSL_GET", "TCP_CHECK", "UDP_CHECK"],
            CheckerFactory.Kinds.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TryCreate_TcpDefaults_KeepalivedDefaults()
    {
        var check = Assert.IsType<TcpCheck>(Ok("TCP_CHECK {\n}"));
        Assert.Equal(new IPEndPoint(Server.Address, 80), check.Endpoint);
        Assert.Equal(new CheckTiming(TimeSpan.FromSeconds(6), 1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.Zero), check.Timing);
    }

    [Fact]
    public void TryCreate_CommonKeywords_Applied()
    {
        var check = Assert.IsType<TcpCheck>(Ok("""
            TCP_CHECK {
                connect_ip 203.0.113.12
                connect_port 8080
                bindto 203.0.113.1
                bind_port 4000
                connect_timeout 2.5
                nb_get_retry 3
                delay_before_retry 0.5
                delay_loop 2
                warmup 4
            }
            """));
        Assert.Equal(IPEndPoint.Parse("203.0.113.12:8080"), check.Endpoint);
        Assert.Equal(IPEndPoint.Parse("203.0.113.1:4000"), check.Bind);
        Assert.Equal(new CheckTiming(TimeSpan.FromSeconds(2), 3, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(4)), check.Timing);
    }

    [Fact]
    public void TryCreate_HttpUrls_Parsed()
    {
        var check = Assert.IsType<HttpCheck>(Ok("""
            HTTP_GET {
                url {
                    path /a
                    digest 9e107d9d372bb6826bd81d3542a419d6
                    status_code 200-299 302
                }
                url {
                    path /b
                    virtualhost b.example.com
                }
                http_protocol 1.1
            }
            """));
        Assert.Equal("HTTP_GET", check.Kind);
        Assert.Equal("HTTP/1.1", check.Protocol);
        Assert.Equal(2, check.Urls.Count);
        Assert.Equal([(200, 299), (302, 302)], check.Urls[0].StatusCodes);
        Assert.Equal(16, check.Urls[0].Digest!.Length);
        Assert.Equal([(200, 299)], check.Urls[1].StatusCodes);
        Assert.Equal("b.example.com", check.Urls[1].VirtualHost);
    }

    [Fact]
    public void TryCreate_MiscDefaults_TimeoutIsDelayLoopRetryZero()
    {
        var check = Assert.IsType<MiscCheck>(Ok("MISC_CHECK {\nmisc_path \"/bin/check web1\"\nmisc_dynamic\n}"));
        Assert.Equal("/bin/check web1", check.Command);
        Assert.True(check.Dynamic);
        Assert.Equal(0, check.Timing.Retry);
        Assert.Equal(TimeSpan.FromSeconds(6), check.Timing.ConnectTimeout);
    }

    [Fact]
    public void TryCreate_DnsDefaults_SoaOfRootOnPort53WhenServerHasNoPort()
    {
        Assert.True(CheckerFactory.TryCreate(Blocks.Parse("DNS_CHECK {\n}"), Server with { Port = 0 }, TimeSpan.FromSeconds(6), out var check, out var error), error);
        var dns = Assert.IsType<DnsCheck>(check);
        Assert.Equal(53, dns.Endpoint.Port);
        Assert.Equal(6, dns.Type);
        Assert.Equal(".", dns.Name);
    }

    [Fact]
    public void TryCreate_AgentDefaultPort9777()
    {
        var check = Assert.IsType<AgentCheck>(Ok("AGENT_CHECK {\nconnect_timeout 2\ndelay_loop 1\n}"));
        Assert.Equal(new IPEndPoint(Server.Address, 9777), check.Endpoint);
        Assert.Equal(TimeSpan.FromSeconds(1), check.Timing.DelayLoop);
    }

    [Fact]
    public void TryCreate_UnknownKeywords_WarningsWithLocation()
    {
        var warnings = new List<string>();
        Ok("TCP_CHECK {\nfrobnicate 1\nfwmark 3\n}", warnings);
        Assert.Equal(["test:2: unknown keyword 'frobnicate' in TCP_CHECK, ignored", "test:3: fwmark in TCP_CHECK is not supported, ignored"], warnings);
    }

    [Theory]
    [InlineData("TCP_CHECK {\nconnect_port 70000\n}", "test:2: connect_port wants an integer between 0 and 65535, not '70000'")]
    [InlineData("TCP_CHECK {\nconnect_timeout soon\n}", "test:2: connect_timeout wants seconds between 0 and 86400, not 'soon'")]
    [InlineData("TCP_CHECK {\nconnect_ip 10.0.0.300\n}", "test:2: connect_ip wants an IPv4 or IPv6 address, not '10.0.0.300'")]
    [InlineData("TCP_CHECK {\nretry\n}", "test:2: retry wants exactly one value")]
    [InlineData("TCP_CHECK {\nconnect_timeout 0\n}", "test:1: TCP_CHECK: connect_timeout must be above 0")]
    [InlineData("TCP_CHECK {\nbindto 2001:db8::1\n}", "test:1: TCP_CHECK: bindto 2001:db8::1 and connect_ip 203.0.113.11 are of different families")]
    [InlineData("HTTP_GET {\n}", "test:1: HTTP_GET needs at least one url { path ... }")]
    [InlineData("HTTP_GET {\nurl {\ndigest 00\n}\n}", "test:3: digest wants an MD5 sum: 32 hex digits")]
    [InlineData("HTTP_GET {\nurl {\nstatus_code 200\n}\n}", "test:2: url needs a path")]
    [InlineData("HTTP_GET {\nurl {\npath /\nstatus_code 299-200\n}\n}", "test:4: status_code wants codes or ranges within 100-599, like 200 or 200-299, not '299-200'")]
    [InlineData("HTTP_GET {\nurl {\npath \"/a b\"\n}\n}", "test:2: url path must start with '/' and hold no spaces or control characters: '/a b'")]
    [InlineData("MISC_CHECK {\nmisc_timeout 3\n}", "test:1: MISC_CHECK needs misc_path")]
    [InlineData("DNS_CHECK {\ntype BOGUS\n}", "test:2: type wants one of A NS CNAME SOA MX TXT AAAA, not 'BOGUS'")]
    [InlineData("DNS_CHECK {\nname a..b\n}", "test:1: DNS_CHECK: 'a..b' is not a valid domain name")]
    [InlineData("UDP_CHECK {\npayload xyz\n}", "test:2: payload wants hex bytes, not 'xyz'")]
    [InlineData("UDP_CHECK {\nmin_reply_length 9\nmax_reply_length 3\n}", "test:1: UDP_CHECK: min_reply_length 9 is above max_reply_length 3")]
    [InlineData("SMTP_CHECK {\n}", "test:1: unknown checker 'SMTP_CHECK' (known: AGENT_CHECK DNS_CHECK HTTP_GET MISC_CHECK PING_CHECK SSL_GET TCP_CHECK UDP_CHECK)")]
    public void TryCreate_BadBlock_ErrorNamesLocation(string text, string expected)
    {
        Assert.Equal(expected, Bad(text));
    }

    [Fact]
    public void TryCreate_NoPortAnywhere_Error()
    {
        Assert.False(CheckerFactory.TryCreate(Blocks.Parse("TCP_CHECK {\n}"), Server with { Port = 0 }, TimeSpan.FromSeconds(6), out _, out var error));
        Assert.Equal("test:1: TCP_CHECK needs a port: the real server has none, set connect_port", error);
    }
}
