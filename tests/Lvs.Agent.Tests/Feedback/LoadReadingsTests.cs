using Lvs.Agent.Feedback;

namespace Lvs.Agent.Tests.Feedback;

public class LoadReadingsTests
{
    // Captured from this machine's /proc (2 cores); the per-cpu lines follow the aggregate one.
    private const string ProcStat = """
        cpu  10132153 290696 3084719 46828483 16683 0 25195 0 0 0
        cpu0 1393552 21411 435538 6061546 2297 0 19808 0 0 0
        cpu1 1411044 25564 450734 6062325 2376 0 2003 0 0 0
        intr 199434336 0 9 0 0 0 0 3 0 1 0 0 0 157 0 0 0 0 0 0 0 0 0 0
        """;

    private const string ProcNetTcp = """
          sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
           0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21000 1 0000000000000000 100 0 0 10 0
           1: 0B00000A:0050 0200A8C0:D431 01 00000000:00000000 02:000A7D64 00000000    33        0 21321 2 0000000000000000 20 4 30 10 -1
           2: 0B00000A:0050 0200A8C0:D432 06 00000000:00000000 03:00000ABC 00000000     0        0 0 3 0000000000000000
           3: 0B00000A:0050 0200A8C0:D433 01 00000000:00000000 02:000A7D64 00000000    33        0 21322 2 0000000000000000 20 4 30 10 -1
        """;

    [Fact]
    public void TryParseCpu_CapturedProcStat_SumsFirstEightFieldsAndIdlePlusIowait()
    {
        Assert.True(LoadReadings.TryParseCpu(ProcStat, out CpuTimes t));
        Assert.Equal(10132153UL + 290696 + 3084719 + 46828483 + 16683 + 0 + 25195 + 0, t.Total);
        Assert.Equal(46828483UL + 16683, t.Idle);
    }

    [Theory]
    [InlineData("")]
    [InlineData("cpu0 1 2 3 4\n")]
    [InlineData("cpu  1 2 x 4\n")]
    [InlineData("cpu  1 2\n")]
    public void TryParseCpu_NotACpuLine_False(string text) => Assert.False(LoadReadings.TryParseCpu(text, out _));

    [Fact]
    public void IdlePercent_QuarterIdle_25()
    {
        Assert.Equal(25.0, LoadReadings.IdlePercent(new CpuTimes(1000, 100), new CpuTimes(1400, 200)));
    }

    [Fact]
    public void IdlePercent_NoTimePassed_Null()
    {
        Assert.Null(LoadReadings.IdlePercent(new CpuTimes(1000, 100), new CpuTimes(1000, 100)));
    }

    [Fact]
    public void TryParseLoadAverage_Captured_FirstField()
    {
        Assert.True(LoadReadings.TryParseLoadAverage("1.52 0.58 0.59 1/467 12345\n", out double load));
        Assert.Equal(1.52, load);
        Assert.False(LoadReadings.TryParseLoadAverage("garbage", out _));
    }

    [Fact]
    public void CountEstablished_Captured_CountsState01Only()
    {
        Assert.Equal(2, LoadReadings.CountEstablished(ProcNetTcp));
    }

    [Fact]
    public void CountEstablished_HeaderOnlyOrEmpty_Zero()
    {
        Assert.Equal(0, LoadReadings.CountEstablished(""));
        Assert.Equal(0, LoadReadings.CountEstablished(ProcNetTcp.Split('\n')[0]));
    }

    [Theory]
    [InlineData(0, 2, 100)]
    [InlineData(1, 2, 50)]
    [InlineData(1.5, 2, 25)]
    [InlineData(2, 2, 1)]
    [InlineData(50, 2, 1)]
    [InlineData(250, 1000, 75)]
    [InlineData(-1, 2, 1)]
    public void PercentFor_LoadAgainstMax_LinearNeverBelowOne(double load, double max, int expected) =>
        Assert.Equal(expected, LoadReadings.PercentFor(load, max));

    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(42.4, 42)]
    [InlineData(100.0, 100)]
    public void PercentForIdle_Share_RoundedAtLeastOne(double idle, int expected) =>
        Assert.Equal(expected, LoadReadings.PercentForIdle(idle));
}
