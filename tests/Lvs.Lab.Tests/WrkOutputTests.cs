using Lvs.Lab;

namespace Lvs.Lab.Tests;

public sealed class WrkOutputTests
{
    // Captured from wrk 4.1 (src/wrk.c prints these lines).
    private const string Clean = """
        Running 10s test @ http://192.0.2.10/
          2 threads and 20 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency     3.01ms    1.20ms  22.51ms   80.12%
            Req/Sec     3.34k   210.55     3.80k    71.00%
          66512 requests in 10.00s, 10.91MB read
        Requests/sec:   6650.31
        Transfer/sec:      1.09MB

        """;

    private const string WithErrors = """
        Running 10s test @ http://192.0.2.10/
          2 threads and 20 connections
          Thread Stats   Avg      Stdev     Max   +/- Stdev
            Latency   105.20ms  300.11ms   1.99s    93.00%
            Req/Sec   520.12    100.00   700.00     70.00%
          10230 requests in 10.01s, 1.60MB read
          Socket errors: connect 3, read 7, write 1, timeout 12
          Non-2xx or 3xx responses: 5
        Requests/sec:   1022.00
        Transfer/sec:    163.50KB

        """;

    [Fact]
    public void Parse_CleanRun_CountsRequestsAndNoErrors()
    {
        var wrk = WrkOutput.Parse(Clean);

        Assert.Equal(new WrkOutput(66512, 0, 0, 0, 0, 0, 6650.31), wrk);
        Assert.Equal(0, wrk.SocketErrors);
    }

    [Fact]
    public void Parse_ErrorLines_ReadsEveryCounter()
    {
        var wrk = WrkOutput.Parse(WithErrors);

        Assert.Equal(new WrkOutput(10230, 3, 7, 1, 12, 5, 1022.00), wrk);
        Assert.Equal(23, wrk.SocketErrors);
    }

    [Theory]
    [InlineData("")]
    [InlineData("unable to connect to 192.0.2.10:80 Connection refused\n")]
    [InlineData("  10 requests in 1.00s, 1KB read\n")]
    public void Parse_NotASummary_Throws(string text) =>
        Assert.Throws<FormatException>(() => WrkOutput.Parse(text));

    [Fact]
    public void Parse_TruncatedAtRandomPoints_ThrowsOnlyFormatException()
    {
        var random = new Random(1234);
        for (int i = 0; i < 500; i++)
        {
            string text = WithErrors[..random.Next(WithErrors.Length + 1)];
            try
            {
                WrkOutput.Parse(text);
            }
            catch (FormatException)
            {
                // The only refusal the contract allows.
            }
        }
    }
}
