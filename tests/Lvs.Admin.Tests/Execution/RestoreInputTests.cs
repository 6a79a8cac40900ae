using Lvs.Admin.Execution;

namespace Lvs.Admin.Tests.Execution;

public class RestoreInputTests
{
    private static List<RestoreLine> Read(string text) => RestoreInput.Read(new StringReader(text));

    private static void AssertLine(RestoreLine line, int number, params string[] words)
    {
        Assert.Equal(number, line.Number);
        Assert.Equal(words, line.Words);
    }

    [Fact]
    public void Read_SavedLines_WordsWithLineNumbers()
    {
        List<RestoreLine> lines = Read("-A -t 192.0.2.10:80 -s rr\n-a -t 192.0.2.10:80 -r 10.0.0.11:80 -m -w 1\n");

        Assert.Equal(2, lines.Count);
        Assert.Equal(1, lines[0].Number);
        Assert.Equal(["-A", "-t", "192.0.2.10:80", "-s", "rr"], lines[0].Words);
        Assert.Equal(2, lines[1].Number);
        Assert.Equal(["-a", "-t", "192.0.2.10:80", "-r", "10.0.0.11:80", "-m", "-w", "1"], lines[1].Words);
    }

    [Fact]
    public void Read_BlankLinesTabsAndCarriageReturns_SkippedButCounted()
    {
        List<RestoreLine> lines = Read("\n   \t\n\t-C\r\n\r\n-A\t-t  192.0.2.10:80");

        Assert.Equal(2, lines.Count);
        AssertLine(lines[0], 3, "-C");
        AssertLine(lines[1], 5, "-A", "-t", "192.0.2.10:80");
    }

    [Fact]
    public void Read_ProgramWords_DroppedAsConfigStreamDoes()
    {
        List<RestoreLine> lines = Read("ipvsadm -A -t 192.0.2.10:80\nlvsadm -C\nipvsadm\n-D ipvsadm -t 192.0.2.10:80\n");

        Assert.Equal(3, lines.Count);
        Assert.Equal(["-A", "-t", "192.0.2.10:80"], lines[0].Words);
        Assert.Equal(["-C"], lines[1].Words);
        AssertLine(lines[2], 4, "-D", "-t", "192.0.2.10:80");
    }

    [Fact]
    public void Read_HashWords_CommentToEndOfLine()
    {
        List<RestoreLine> lines = Read("# saved by lvsadm -S\n  #indented\n-A -t 192.0.2.10:80 -s rr # the web\n-C #no space\n");

        Assert.Equal(2, lines.Count);
        AssertLine(lines[0], 3, "-A", "-t", "192.0.2.10:80", "-s", "rr");
        AssertLine(lines[1], 4, "-C");
    }
}
