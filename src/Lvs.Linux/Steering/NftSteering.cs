using System.Globalization;
using System.Text.RegularExpressions;

namespace Lvs.Linux.Steering;

/// <summary>
/// nft rejected a script. The message carries nft's stderr and the script line it blamed.
/// </summary>
public sealed class NftException(string message, string script, string stderr, int lineNumber)
    : Exception(message)
{
    /// <summary>The script that failed.</summary>
    public string Script { get; } = script;

    /// <summary>nft's stderr.</summary>
    public string Stderr { get; } = stderr;

    /// <summary>The 1-based script line nft blamed, 0 when it named none.</summary>
    public int LineNumber { get; } = lineNumber;
}

/// <summary>
/// Installs and removes lvsd's nftables table (family netdev) by running <c>nft -f -</c>: each
/// call is one script and so one kernel transaction: the rules change all at once or not at all.
/// </summary>
public sealed partial class NftSteering
{
    private readonly string _nft;
    private readonly string? _netns;
    private readonly TimeSpan _timeout;

    /// <summary>Creates a steering for table <paramref name="tableName"/>.</summary>
    /// <param name="tableName">The netdev table lvsd owns (default "lvsd").</param>
    /// <param name="netns">Run nft inside this named network namespace (<c>ip netns exec</c>); null for the current one.</param>
    /// <param name="nftPath">The nft binary.</param>
    /// <param name="timeout">How long nft may take (default 10 s).</param>
    public NftSteering(string tableName = NftScript.DefaultTable, string? netns = null, string nftPath = "nft", TimeSpan? timeout = null)
    {
        if (!NftScript.IsValidTable(tableName))
        {
            throw new ArgumentException($"invalid nftables table name '{tableName}'", nameof(tableName));
        }

        if (netns is not null && !NamespaceName().IsMatch(netns))
        {
            throw new ArgumentException($"invalid namespace name '{netns}'", nameof(netns));
        }

        TableName = tableName;
        _netns = netns;
        _nft = nftPath;
        _timeout = timeout ?? TimeSpan.FromSeconds(10);
    }

    /// <summary>The table name.</summary>
    public string TableName { get; }

    /// <summary>Replaces the whole table with the rules for <paramref name="spec"/>, atomically.</summary>
    /// <exception cref="NftException">nft rejected the script or timed out.</exception>
    public void Apply(SteeringSpec spec) => Run(NftScript.BuildApply(TableName, spec));

    /// <summary>Deletes the table if it exists (on exit, and at start to clear a crashed run's rules).</summary>
    /// <exception cref="NftException">nft failed.</exception>
    public void RemoveAll() => Run(NftScript.BuildRemove(TableName));

    /// <summary>Runs an nft script through <c>nft -f -</c>.</summary>
    private void Run(string script)
    {
        ProcessResult result;
        try
        {
            result = _netns is null
                ? ProcessRunner.Run(_nft, ["-f", "-"], script, _timeout)
                : ProcessRunner.Run("ip", ["netns", "exec", _netns, _nft, "-f", "-"], script, _timeout);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new NftException($"cannot run {_nft}: {ex.Message}", script, string.Empty, 0);
        }

        if (result.Succeeded)
        {
            return;
        }

        if (result.TimedOut)
        {
            throw new NftException($"nft timed out after {_timeout.TotalSeconds:0.#} s", script, result.Stderr, 0);
        }

        throw Failure(script, result.Stderr, result.ExitCode);
    }

    /// <summary>Builds the exception for a failed script, quoting the line nft blamed.</summary>
    internal static NftException Failure(string script, string stderr, int exitCode)
    {
        var match = BlamedLine().Match(stderr);
        var lineNumber = match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var lines = script.Split('\n');
        var message = $"nft failed (exit {exitCode}): {stderr.Trim()}";
        if (lineNumber >= 1 && lineNumber <= lines.Length)
        {
            message += $"\nscript line {lineNumber}: {lines[lineNumber - 1].Trim()}";
        }

        return new NftException(message, script, stderr, lineNumber);
    }

    // `ip netns` names are file names under /run/netns; this also keeps them off ip's option parser.
    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}\z")]
    private static partial Regex NamespaceName();

    // nft reports "/dev/stdin:LINE:COLUMN(-COLUMN): Error: ..." for scripts read from stdin.
    [GeneratedRegex(@"^[^:\n]*:(\d+):\d+(?:-\d+)?: Error", RegexOptions.Multiline)]
    private static partial Regex BlamedLine();
}
