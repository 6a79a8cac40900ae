namespace Lvs.Lab;

/// <summary>What a finished (or timed-out) command left behind.</summary>
/// <param name="Command">The command line, for messages.</param>
/// <param name="ExitCode">The exit code; -1 when the command timed out and was killed.</param>
/// <param name="Stdout">Everything the command wrote to stdout.</param>
/// <param name="Stderr">Everything the command wrote to stderr.</param>
/// <param name="TimedOut">True when the command ran past its timeout and was killed.</param>
public sealed record ExecResult(string Command, int ExitCode, string Stdout, string Stderr, bool TimedOut)
{
    /// <summary>True when the command exited 0 within its timeout.</summary>
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>Returns this result, or throws with the command's output when it failed.</summary>
    /// <exception cref="LabException">The command failed or timed out.</exception>
    public ExecResult EnsureSuccess()
    {
        if (!Succeeded)
        {
            throw new LabException(Describe());
        }

        return this;
    }

    /// <summary>One paragraph saying what ran and how it ended, for error messages and logs.</summary>
    public string Describe()
    {
        string how = TimedOut ? "timed out" : $"exited {ExitCode}";
        return $"`{Command}` {how}\nstdout: {Stdout.TrimEnd()}\nstderr: {Stderr.TrimEnd()}";
    }
}

/// <summary>The lab could not build, run or tear down what it was asked to.</summary>
public sealed class LabException(string message) : Exception(message);
