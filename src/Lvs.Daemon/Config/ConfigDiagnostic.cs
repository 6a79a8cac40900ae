namespace Lvs.Daemon.Config;

/// <summary>A place in a configuration file: 1-based line and column.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    public override string ToString() => $"{File}:{Line}:{Column}";
}

/// <summary>An error or warning about a configuration file, with where it was found.</summary>
public sealed record ConfigDiagnostic(string File, int Line, int Column, string Message)
{
    public ConfigDiagnostic(SourceLocation at, string message)
        : this(at.File, at.Line, at.Column, message)
    {
    }

    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}

/// <summary>Collects the diagnostics of one load; warnings can be limited to one per key.</summary>
internal sealed class DiagnosticBag
{
    private readonly HashSet<string> _warnedOnce = new(StringComparer.Ordinal);

    public List<ConfigDiagnostic> Errors { get; } = [];

    public List<ConfigDiagnostic> Warnings { get; } = [];

    public bool HasErrors => Errors.Count > 0;

    public void Error(SourceLocation at, string message) => Errors.Add(new ConfigDiagnostic(at, message));

    public void Warn(SourceLocation at, string message) => Warnings.Add(new ConfigDiagnostic(at, message));

    /// <summary>A warning given only the first time <paramref name="key"/> is seen, so a long file is not drowned.</summary>
    public void WarnOnce(string key, SourceLocation at, string message)
    {
        if (_warnedOnce.Add(key))
        {
            Warn(at, message);
        }
    }
}
