using System.Globalization;

namespace Lvs.Lab;

/// <summary>
/// Long-lived TCP connections through the VIP: one curl process in the client namespace that
/// downloads <c>/big</c> over <c>count</c> parallel connections, each read at a limited rate, so
/// every connection stays open for seconds and spans a failover. Each download lands in its own
/// file, for the caller to checksum. Bounded by curl's <c>--max-time</c>; the lab stops the
/// process (by pid) on dispose.
/// </summary>
public sealed class SlowStreams
{
    private readonly LabProcess _curl;

    private SlowStreams(LabProcess curl, string directory, int count)
    {
        _curl = curl;
        Directory = directory;
        Count = count;
    }

    /// <summary>Where the downloads land: <c>s1</c> .. <c>sN</c>.</summary>
    public string Directory { get; }

    /// <summary>Number of connections.</summary>
    public int Count { get; }

    /// <summary>
    /// Starts <paramref name="count"/> downloads of <c>http://VIP/big</c> at
    /// <paramref name="bytesPerSecond"/> each, every one on its own connection, into a new
    /// directory under the lab's temp directory.
    /// </summary>
    public static SlowStreams Start(LabTopology lab, int count, int bytesPerSecond, TimeSpan maxTime)
    {
        string dir = Path.Combine(lab.TempDirectory, "streams-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        string I(long v) => v.ToString(CultureInfo.InvariantCulture);
        // --parallel-immediate opens every connection at once instead of waiting to reuse one.
        var curl = lab.StartInNamespace("slow streams", lab.ClientNamespace,
            "curl", "-sS", "--no-progress-meter", "--parallel", "--parallel-immediate", "--parallel-max", I(count),
            "--limit-rate", I(bytesPerSecond), "--max-time", I((long)maxTime.TotalSeconds),
            "-w", "result %{http_code} %{size_download} %{exitcode}\\n",
            "-o", Path.Combine(dir, "s#1"), $"http://{LabTopology.Vip}/big?s=[1-{count}]");
        return new SlowStreams(curl, dir, count);
    }

    /// <summary>The download files, s1 .. sN.</summary>
    public IEnumerable<string> Files => Enumerable.Range(1, Count).Select(i => Path.Combine(Directory, "s" + i.ToString(CultureInfo.InvariantCulture)));

    /// <summary>
    /// Waits for curl to finish (bounded by <paramref name="timeout"/>) and returns one
    /// (HTTP status, bytes, curl exit code) per transfer it reported, plus curl's whole output.
    /// </summary>
    /// <exception cref="TimeoutException">curl still ran after <paramref name="timeout"/>.</exception>
    public (IReadOnlyList<(int Status, long Bytes, int ExitCode)> Transfers, string Output) Wait(TimeSpan timeout)
    {
        if (!_curl.WaitForExit(timeout))
        {
            throw new TimeoutException($"slow streams still running after {timeout.TotalSeconds} s");
        }

        string output = _curl.Output;
        var transfers = new List<(int, long, int)>();
        foreach (string line in output.Split('\n'))
        {
            string[] f = line.Split(' ');
            if (f.Length == 4 && f[0] == "result"
                && int.TryParse(f[1], CultureInfo.InvariantCulture, out int status)
                && long.TryParse(f[2], CultureInfo.InvariantCulture, out long bytes)
                && int.TryParse(f[3], CultureInfo.InvariantCulture, out int exit))
            {
                transfers.Add((status, bytes, exit));
            }
        }

        return (transfers, output);
    }
}
