using Lvs.Lab;

namespace Lvs.Lab.Tests;

public sealed class LabPiecesTests
{
    [Fact]
    public void Render_WithBigFile_EverythingUnderItsDirectoryAndBothLocations()
    {
        string conf = NginxConfig.Render("rs2", "/tmp/lab x/rs2", "/tmp/big \"1\".bin");

        Assert.Contains("daemon off;", conf);
        Assert.Contains("pid \"/tmp/lab x/rs2/nginx.pid\";", conf);
        Assert.Contains("client_body_temp_path \"/tmp/lab x/rs2/client_body\";", conf);
        Assert.Contains("return 200 \"rs2\\n\";", conf);
        Assert.Contains("alias \"/tmp/big \\\"1\\\".bin\";", conf);
        Assert.Contains("listen 0.0.0.0:80", conf);
        Assert.Equal(conf.Count(c => c == '{'), conf.Count(c => c == '}'));
    }

    [Fact]
    public void Render_Always_UploadLocationTakesAnySizeIntoItsOwnDirectory()
    {
        string conf = NginxConfig.Render("rs1", "/tmp/lab/rs1", null);

        Assert.Contains("location /upload/ {", conf);
        Assert.Contains("client_max_body_size 0;", conf);
        Assert.Contains("alias \"/tmp/lab/rs1/uploads/\";", conf);
        Assert.Contains("dav_methods PUT;", conf);
        Assert.Equal("/tmp/lab/rs1/uploads/x.bin", NginxConfig.UploadedFile("/tmp/lab/rs1", "x.bin"));
        Assert.Equal("/upload/x.bin", NginxConfig.UploadPath("x.bin"));
    }

    [Fact]
    public void Render_WithoutBigFile_NoBigLocation()
    {
        Assert.DoesNotContain("/big", NginxConfig.Render("rs1", "/tmp/x", null));
    }

    [Fact]
    public void Locate_Override_WinsOverRepository()
    {
        Assert.Equal("/opt/lvs/bin", LvsBin.Locate("/opt/lvs/bin", AppContext.BaseDirectory));
    }

    [Fact]
    public void Locate_FromTestOutput_FindsBinNextToSolution()
    {
        string bin = LvsBin.Locate(null, AppContext.BaseDirectory);

        Assert.Equal("bin", Path.GetFileName(bin));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(bin)!, "Lvs.slnx")));
    }

    [Fact]
    public void Locate_NoSolutionAbove_ThrowsNamingTheVariable()
    {
        var ex = Assert.Throws<LabException>(() => LvsBin.Locate(null, "/"));
        Assert.Contains(LvsBin.EnvironmentVariable, ex.Message);
    }

    [Fact]
    public void ToString_AnsweredAndFailed_DemoLines()
    {
        var rs1 = new RealServer("rs1", "lvs-000000-rs1", "10.0.0.11");

        Assert.Equal("request  1 -> rs1 (10.0.0.11)", new ProbeResult(1, rs1, null).ToString());
        Assert.Equal("request 32 FAILED: timeout", new ProbeResult(32, null, "timeout").ToString());
    }

    [Fact]
    public void Missing_UnknownTool_ListedWithPackageName()
    {
        var missing = Tools.Missing(["sh", "surely-not-installed-tool"]);

        Assert.Equal([("surely-not-installed-tool", "surely-not-installed-tool")], missing);
    }

    [Fact]
    public void Run_CommandOutlivesTimeout_KilledAndMarked()
    {
        var result = ProcessRunner.Run("sleep", ["10"], TimeSpan.FromMilliseconds(200));

        Assert.True(result.TimedOut);
        Assert.False(result.Succeeded);
        Assert.Throws<LabException>(() => result.EnsureSuccess());
    }

    [Fact]
    public void Run_MissingProgram_Exit127()
    {
        var result = ProcessRunner.Run("/nonexistent/program", [], TimeSpan.FromSeconds(5));

        Assert.Equal(127, result.ExitCode);
    }

    [Theory]
    [InlineData(new string[0], 2, false, "Nat,Dr,Tun")]
    [InlineData(new[] { "--servers", "5" }, 5, false, "Nat,Dr,Tun")]
    [InlineData(new[] { "--no-offload", "--servers", "3" }, 3, true, "Nat,Dr,Tun")]
    [InlineData(new[] { "--method", "dr" }, 2, false, "Dr")]
    [InlineData(new[] { "--servers", "4", "--method", "tun" }, 4, false, "Tun")]
    [InlineData(new[] { "--method", "nat" }, 2, false, "Nat")]
    public void TryParseOptions_Valid_Parsed(string[] args, int servers, bool noOffload, string methods)
    {
        Assert.True(LabCommands.TryParseOptions(args, TextWriter.Null, out var options, out var parsed, out _));
        Assert.Equal(servers, options.RealServerCount);
        Assert.Equal(noOffload, options.DisableOffloads);
        Assert.Equal(methods, string.Join(',', parsed));
    }

    [Theory]
    [InlineData("--servers")]
    [InlineData("--servers", "0")]
    [InlineData("--servers", "201")]
    [InlineData("--servers", "-1")]
    [InlineData("--bogus")]
    [InlineData("--method")]
    [InlineData("--method", "masq")]
    [InlineData("--method", "DR")]
    public void TryParseOptions_Invalid_Refused(params string[] args)
    {
        Assert.False(LabCommands.TryParseOptions(args, TextWriter.Null, out _, out _, out string error));
        Assert.NotEmpty(error);
    }
}
